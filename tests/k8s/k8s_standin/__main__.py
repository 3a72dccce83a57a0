"""``python -m k8s_standin [--host 127.0.0.1] [--port 0]``: serve until SIGTERM; prints its URL."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from .api import StandinServer
from .cluster import Cluster


def main() -> int:
    parser = argparse.ArgumentParser(prog="k8s_standin")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    cluster = Cluster()
    server = StandinServer((args.host, args.port), cluster)

    def stop(signum: int, frame: Any) -> None:
        # Like a node going away: every container is killed, then the API stops.
        for pid in cluster.running_processes():
            try:
                import os

                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"k8s stand-in serving on http://{args.host}:{server.server_address[1]}", flush=True)
    server.serve_forever(poll_interval=0.2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
