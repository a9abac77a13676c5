import { loadSync } from "@grpc/proto-loader";
import { loadPackageDefinition, type ServiceDefinition } from "@grpc/grpc-js";
import { Buffer } from "node:buffer";
import { REPO_ROOT } from "../../support/fixtures.ts";
import {
  decodeCertificateRequest,
  decodeCertificateResponse,
  decodeHealthCheckRequest,
  encodeCertificateResponse,
  encodeHealthCheckResponse,
  HEALTH_SERVICE,
  SECURITY_SERVICE,
  SERVING_STATUS,
} from "../../../src/grpc/service_definitions.ts";
import { readFields, WireFormatError, writeFields } from "../../../src/grpc/protobuf_wire.ts";
import { assertEquals, assertThrows } from "../../support/assert.ts";

/** The definitions protobufjs builds from the .proto files, as clients use them. */
function fromProto(file: string, path: string[], options: object): ServiceDefinition {
  const root = loadPackageDefinition(
    loadSync(`${REPO_ROOT}proto/${file}`, { keepCase: true, defaults: true, ...options }),
  ) as Record<string, unknown>;
  const service = path.reduce(
    (node, key) => (node as Record<string, unknown>)[key],
    root as unknown,
  );
  return (service as { service: ServiceDefinition }).service;
}

const security = fromProto("security.proto", ["securityapi", "SecurityService"], {});
const health = fromProto("health.proto", ["grpc", "health", "v1", "Health"], { enums: String });
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("SECURITY_SERVICE has the paths and shapes protobufjs builds from security.proto", () => {
  for (const [name, ours] of Object.entries(SECURITY_SERVICE)) {
    const theirs = security[name]!;
    assertEquals([ours.path, ours.requestStream, ours.responseStream], [
      theirs.path,
      theirs.requestStream,
      theirs.responseStream,
    ]);
  }
  assertEquals(Object.keys(SECURITY_SERVICE), Object.keys(security));
  assertEquals(Object.keys(HEALTH_SERVICE), Object.keys(health));
  for (const [name, ours] of Object.entries(HEALTH_SERVICE)) {
    assertEquals([ours.path, ours.responseStream], [
      health[name]!.path,
      health[name]!.responseStream,
    ]);
  }
});

Deno.test("decodeCertificateRequest() reads what protobufjs writes, empty and large", () => {
  for (const csr of ["", "-----BEGIN CERTIFICATE REQUEST-----\n", "x".repeat(70_000)]) {
    const wire = security.Certificate!.requestSerialize({ csr: Buffer.from(csr) });
    assertEquals(text(decodeCertificateRequest(wire).csr), csr);
  }
});

Deno.test("encodeCertificateResponse() writes what protobufjs reads", () => {
  const wire = encodeCertificateResponse({
    ca: new TextEncoder().encode("CA PEM"),
    crt: new TextEncoder().encode("é".repeat(200)),
  });
  const decoded = security.Certificate!.responseDeserialize(wire) as { ca: Buffer; crt: Buffer };
  assertEquals([decoded.ca.toString(), decoded.crt.toString()], ["CA PEM", "é".repeat(200)]);
  const ours = decodeCertificateResponse(wire);
  assertEquals([text(ours.ca), text(ours.crt)], ["CA PEM", "é".repeat(200)]);
});

Deno.test("health messages match protobufjs for every status and service name", () => {
  for (const service of ["", "securityapi.SecurityService", "ünïcode"]) {
    const wire = health.Check!.requestSerialize({ service });
    assertEquals(decodeHealthCheckRequest(wire).service, service);
  }
  for (const status of SERVING_STATUS) {
    const decoded = health.Watch!.responseDeserialize(encodeHealthCheckResponse({ status }));
    assertEquals(decoded, { status });
  }
});

Deno.test("readFields() skips unknown fields of every wire type and keeps the last occurrence", () => {
  const message = new Uint8Array([
    ...[0x10, 0x96, 0x01], // field 2, varint 150
    ...[0x19, 1, 2, 3, 4, 5, 6, 7, 8], // field 3, fixed64
    ...[0x25, 1, 2, 3, 4], // field 4, fixed32
    ...writeFields([[1, new TextEncoder().encode("first")]]),
    ...writeFields([[1, new TextEncoder().encode("last")]]),
  ]);
  const fields = readFields(message);
  assertEquals(fields.get(2), 150);
  assertEquals(text(fields.get(1) as Uint8Array), "last");
  assertEquals(text(decodeCertificateRequest(message).csr), "last");
});

Deno.test("readFields() refuses truncated and malformed messages with WireFormatError", () => {
  const cases: [string, number[]][] = [
    ["length past the end", [0x0a, 0x05, 1, 2]],
    ["truncated varint", [0x08, 0x80]],
    ["field number 0", [0x02, 0x00]],
    ["group wire type", [0x0b]],
    ["fixed64 past the end", [0x09, 1, 2]],
    ["varint over 10 bytes", [0x08, ...new Array(11).fill(0x80), 1]],
  ];
  for (const [name, bytes] of cases) {
    const error = assertThrows(() => readFields(new Uint8Array(bytes)), WireFormatError);
    assertEquals(error.message.startsWith("Cannot read message: "), true, name);
  }
});
