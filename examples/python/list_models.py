#!/usr/bin/env python3
"""List the models registered in a Calibra registry, from Python.

Stubs come from proto/ with grpc_tools (Debian: python3-grpcio python3-grpc-tools):
    python3 -m grpc_tools.protoc -I ../../proto/src/main/proto --python_out=OUT --grpc_python_out=OUT \
        ../../proto/src/main/proto/calibra/v1/*.proto
    CALIBRA_API_KEY=cal_... PYTHONPATH=OUT python3 list_models.py 127.0.0.1:9101
Every call carries `authorization: Bearer $CALIBRA_API_KEY`.
"""
import os
import sys

import grpc
from calibra.v1 import registry_pb2, registry_pb2_grpc


def main(address: str) -> int:
    key = os.environ.get("CALIBRA_API_KEY", "")
    auth = [("authorization", f"Bearer {key}")] if key else []
    with grpc.insecure_channel(address) as channel:
        registry = registry_pb2_grpc.RegistryStub(channel)
        token = ""
        while True:
            page = registry.ListModels(registry_pb2.ListModelsRequest(page_size=100, page_token=token), timeout=10,
                                       metadata=auth)
            for model in page.models:
                print(f"{model.id}\t{model.name}\t{model.architecture}\t{model.parameter_count}")
            token = page.next_page_token
            if not token:
                return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:9101"))
