"""berth protocol: generated gRPC and protobuf modules."""
