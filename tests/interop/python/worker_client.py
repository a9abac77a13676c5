"""A Certificate call with Python grpcio (Debian's python3-grpcio), for interop tests.

Generates the gRPC stubs from proto/security.proto into a temporary folder, dials the server over
TLS verifying it against the CA bundle (host name checked against the dialled address, as a
worker does), sends the CSR with the token in metadata, and prints one JSON object:
{"ok": true, "ca": ..., "crt": ...} or {"ok": false, "code": "UNAUTHENTICATED", "details": ...}.

Usage: worker_client.py TARGET CA_FILE CSR_FILE [TOKEN]
"""
import json
import os
import sys
import tempfile

import grpc
from grpc_tools import protoc

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIR = os.path.join(HERE, "..", "..", "..", "proto")


def load_stubs(out_dir):
    code = protoc.main([
        "protoc", f"-I{PROTO_DIR}", f"--python_out={out_dir}", f"--grpc_python_out={out_dir}",
        os.path.join(PROTO_DIR, "security.proto"),
    ])
    if code != 0:
        raise SystemExit(f"protoc failed with {code}")
    sys.path.insert(0, out_dir)
    import security_pb2
    import security_pb2_grpc
    return security_pb2, security_pb2_grpc


def main():
    target, ca_file, csr_file = sys.argv[1:4]
    token = sys.argv[4] if len(sys.argv) > 4 else None
    with tempfile.TemporaryDirectory() as out_dir:
        pb2, pb2_grpc = load_stubs(out_dir)
        with open(ca_file, "rb") as f:
            credentials = grpc.ssl_channel_credentials(root_certificates=f.read())
        with open(csr_file, "rb") as f:
            csr = f.read()
        metadata = [("token", token)] if token is not None else []
        with grpc.secure_channel(target, credentials) as channel:
            stub = pb2_grpc.SecurityServiceStub(channel)
            try:
                response = stub.Certificate(pb2.CertificateRequest(csr=csr), metadata=metadata, timeout=10)
                print(json.dumps({"ok": True, "ca": response.ca.decode(), "crt": response.crt.decode()}))
            except grpc.RpcError as error:
                print(json.dumps({"ok": False, "code": error.code().name, "details": error.details()}))


if __name__ == "__main__":
    main()
