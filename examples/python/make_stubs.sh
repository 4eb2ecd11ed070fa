#!/usr/bin/env bash
# Generates the Python gRPC stubs of calibra.v1 from proto/ into OUT (default: this folder, as the
# package calibra/v1/, which git ignores), so the examples here import them without PYTHONPATH:
#   ./make_stubs.sh                          # then: python3 compress_and_watch.py ...
#   ./make_stubs.sh /tmp/stubs && export PYTHONPATH=/tmp/stubs
# Needs python3-grpcio and python3-grpc-tools (Debian) or pip's grpcio and grpcio-tools; PYTHON picks
# the interpreter (default python3).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROTO="$HERE/../../proto/src/main/proto"
OUT="${1:-$HERE}"
mkdir -p "$OUT"
"${PYTHON:-python3}" -m grpc_tools.protoc -I "$PROTO" --python_out="$OUT" --grpc_python_out="$OUT" "$PROTO"/calibra/v1/*.proto
echo "calibra.v1 stubs in $OUT/calibra/v1"
