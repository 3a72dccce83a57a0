"""Generated protocol modules (berth.protocol.v1)."""
