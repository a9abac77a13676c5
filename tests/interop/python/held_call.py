"""A Certificate call held open: headers now, the request only when told.

Usage: held_call.py PORT CA_FILE TOKEN CSR_FILE. Prints "open" once the call's headers are sent,
waits for a line on stdin, sends the request, then prints {"grpc_status": "0"} (or null when the
connection died first). Raw HTTP/2 (python3-h2), so the test controls when the request arrives.
"""
import json
import socket
import ssl
import sys

import h2.config
import h2.connection
import h2.events


def varint(n):
    out = b""
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out += bytes([byte | 0x80])
        else:
            return out + bytes([byte])


port, ca_file, token, csr_file = sys.argv[1:5]
csr = open(csr_file, "rb").read()
context = ssl.create_default_context(cafile=ca_file)
context.check_hostname = False  # the chain is still verified against the Talos CA
context.set_alpn_protocols(["h2"])
sock = context.wrap_socket(socket.create_connection(("127.0.0.1", int(port))))
conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
conn.initiate_connection()
stream = conn.get_next_available_stream_id()
conn.send_headers(stream, [
    (":method", "POST"), (":scheme", "https"), (":authority", f"127.0.0.1:{port}"),
    (":path", "/securityapi.SecurityService/Certificate"),
    ("content-type", "application/grpc"), ("te", "trailers"), ("token", token),
])
sock.sendall(conn.data_to_send())
print("open", flush=True)
sys.stdin.readline()
message = b"\x0a" + varint(len(csr)) + csr
conn.send_data(stream, b"\x00" + len(message).to_bytes(4, "big") + message, end_stream=True)
status = None
try:
    sock.sendall(conn.data_to_send())
    ended = False
    while not ended:
        data = sock.recv(65536)
        if not data:
            break
        for event in conn.receive_data(data):
            if isinstance(event, (h2.events.ResponseReceived, h2.events.TrailersReceived)):
                for name, value in event.headers:
                    if name in (b"grpc-status", "grpc-status"):
                        status = value.decode() if isinstance(value, bytes) else value
            elif isinstance(event, h2.events.DataReceived):
                conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, (h2.events.StreamEnded, h2.events.StreamReset)):
                ended = True
        sock.sendall(conn.data_to_send())
except OSError:
    pass
print(json.dumps({"grpc_status": status}), flush=True)
