/**
 * The grpc-js service definitions the signer serves, with their messages encoded by hand
 * (`protobuf_wire.ts`) from `proto/security.proto` and `proto/health.proto`. grpc-js only needs a
 * path and four functions per method; building them from the `.proto` files at start-up loaded
 * protobufjs and @grpc/proto-loader into every server (about 3 MB of RSS at idle). Clients and
 * tests still use proto-loader, so both sides are checked against the `.proto` files
 * (tests/unit/grpc/service_definitions_test.ts).
 *
 * @module
 */
import type { MethodDefinition, ServiceDefinition } from "@grpc/grpc-js";
import { Buffer } from "node:buffer";
import { readFields, WireFormatError, type WireValue, writeFields } from "./protobuf_wire.ts";

/** `securityapi.CertificateRequest`. */
export interface CertificateRequestMessage {
  /** The CSR, PEM bytes (empty when absent). */
  csr: Uint8Array;
  /**
   * Why the message could not be read, when it is not a protobuf message. Set instead of throwing,
   * so the caller gets INVALID_ARGUMENT after the token check (grpc-js answers a throwing
   * deserializer with INTERNAL).
   */
  malformed?: string;
}

/** `securityapi.CertificateResponse`. */
export interface CertificateResponseMessage {
  /** CA certificates, PEM. */
  ca: Uint8Array;
  /** The issued certificate, PEM. */
  crt: Uint8Array;
}

/** `grpc.health.v1.HealthCheckRequest`. */
export interface HealthCheckRequestMessage {
  /** The service asked about ("" for the server). */
  service: string;
}

/** `grpc.health.v1.HealthCheckResponse.ServingStatus` names, by wire value. */
export const SERVING_STATUS = ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"] as const;

/** `grpc.health.v1.HealthCheckResponse`, with the status by name as proto-loader gave it. */
export interface HealthCheckResponseMessage {
  /** The serving status. */
  status: (typeof SERVING_STATUS)[number];
}

const bytesOf = (value: WireValue | undefined): Uint8Array =>
  value instanceof Uint8Array ? value : new Uint8Array(0);

// grpc-js writes what a serializer returns with Buffer methods, so every encoder returns a Buffer.
const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * Decodes a CertificateRequest. A varint in field 1 is not a CSR and reads as none.
 *
 * @param bytes the message
 * @returns the request
 */
export function decodeCertificateRequest(bytes: Uint8Array): CertificateRequestMessage {
  try {
    return { csr: bytesOf(readFields(bytes).get(1)) };
  } catch (error) {
    if (!(error instanceof WireFormatError)) throw error;
    return { csr: new Uint8Array(0), malformed: error.message };
  }
}

/**
 * Encodes a CertificateResponse.
 *
 * @param response the answer
 * @returns the message
 */
export function encodeCertificateResponse(response: CertificateResponseMessage): Buffer {
  return asBuffer(writeFields([[1, response.ca], [2, response.crt]]));
}

/**
 * Decodes a CertificateResponse (for clients and tests).
 *
 * @param bytes the message
 * @returns the answer
 */
export function decodeCertificateResponse(bytes: Uint8Array): CertificateResponseMessage {
  const fields = readFields(bytes);
  return { ca: bytesOf(fields.get(1)), crt: bytesOf(fields.get(2)) };
}

/**
 * Decodes a HealthCheckRequest (invalid UTF-8 is replaced, as protobufjs did).
 *
 * @param bytes the message
 * @returns the request
 */
export function decodeHealthCheckRequest(bytes: Uint8Array): HealthCheckRequestMessage {
  return { service: new TextDecoder().decode(bytesOf(readFields(bytes).get(1))) };
}

/**
 * Encodes a HealthCheckResponse (UNKNOWN, the default, is left out as proto3 does).
 *
 * @param response the status
 * @returns the message
 */
export function encodeHealthCheckResponse(response: HealthCheckResponseMessage): Buffer {
  const value = SERVING_STATUS.indexOf(response.status);
  return asBuffer(writeFields(value > 0 ? [[1, value]] : []));
}

function method<Request, Response>(
  path: string,
  responseStream: boolean,
  decodeRequest: (bytes: Uint8Array) => Request,
  encodeResponse: (response: Response) => Buffer,
): MethodDefinition<Request, Response> {
  return {
    path,
    requestStream: false,
    responseStream,
    requestSerialize: () => {
      throw new Error("Cannot encode a request: the server only decodes them");
    },
    requestDeserialize: decodeRequest,
    responseSerialize: encodeResponse,
    responseDeserialize: () => {
      throw new Error("Cannot decode a response: the server only encodes them");
    },
  };
}

/** `securityapi.SecurityService`, as `Server.addService` takes it. */
export const SECURITY_SERVICE: ServiceDefinition = {
  Certificate: method(
    "/securityapi.SecurityService/Certificate",
    false,
    decodeCertificateRequest,
    encodeCertificateResponse,
  ),
};

/** `grpc.health.v1.Health`, as `Server.addService` takes it. */
export const HEALTH_SERVICE: ServiceDefinition = {
  Check: method(
    "/grpc.health.v1.Health/Check",
    false,
    decodeHealthCheckRequest,
    encodeHealthCheckResponse,
  ),
  Watch: method(
    "/grpc.health.v1.Health/Watch",
    true,
    decodeHealthCheckRequest,
    encodeHealthCheckResponse,
  ),
};
