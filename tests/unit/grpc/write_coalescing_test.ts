import { Writable } from "node:stream";
import { Buffer } from "node:buffer";
import { COALESCE_TURNS, coalesceWrites } from "../../../src/grpc/write_coalescing.ts";
import { assertEquals } from "../../support/assert.ts";

/** A socket stand-in that records what reaches the wire, one entry per write it is asked to do. */
function recordingSocket() {
  const batches: string[][] = [];
  const socket = new Writable({
    writev(chunks, callback) {
      batches.push(chunks.map((c) => Buffer.from(c.chunk).toString()));
      callback();
    },
    write(chunk, _encoding, callback) {
      batches.push([Buffer.from(chunk).toString()]);
      callback();
    },
  });
  return { socket, batches };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

Deno.test("coalesceWrites() sends the writes of the next turns as one batch", async () => {
  const { socket, batches } = recordingSocket();
  coalesceWrites(socket);
  socket.write("HEADERS");
  socket.write("DATA");
  await turn();
  await turn();
  socket.write("trailers");
  assertEquals(batches, []);
  for (let i = 0; i < COALESCE_TURNS; i++) await turn();
  assertEquals(batches, [["HEADERS", "DATA", "trailers"]]);
});

Deno.test("coalesceWrites() starts a new batch after it let one go", async () => {
  const { socket, batches } = recordingSocket();
  coalesceWrites(socket, 1);
  socket.write("a");
  await turn();
  await turn();
  socket.write("b");
  await turn();
  await turn();
  assertEquals(batches, [["a"], ["b"]]);
});
