/**
 * The `securityapi.SecurityService/Certificate` handler: authenticate, issue, answer, log one line.
 *
 * @module
 */
import { type Metadata, type sendUnaryData, type ServerUnaryCall, status } from "@grpc/grpc-js";
import { checkToken } from "../auth/token_set.ts";
import { type Authority, issueCertificate } from "../authority.ts";
import type { Logger } from "../ops/log.ts";
import { statusFromError } from "./status.ts";

/** The decoded `CertificateRequest`. */
export interface CertificateRequest {
  /** PEM CSR bytes. */
  csr: Uint8Array;
}

/** The `CertificateResponse` sent back. */
export interface CertificateResponse {
  /** Accepted CA certificates, PEM. */
  ca: Uint8Array;
  /** The issued certificate, PEM. */
  crt: Uint8Array;
}

/** What the handler needs from the process around it. */
export interface CertificateServiceDeps {
  /** Returns the current authority snapshot; read once per call. */
  authority: () => Authority;
  /** Where request lines go. */
  logger: Logger;
  /** The time source for issuance. */
  clock: () => Date;
}

const encoder = new TextEncoder();

/**
 * Creates the unary handler for Certificate calls.
 *
 * @param deps the authority source, logger and clock
 * @returns the grpc-js handler
 */
export function createCertificateHandler(
  deps: CertificateServiceDeps,
): (
  call: ServerUnaryCall<CertificateRequest, CertificateResponse>,
  callback: sendUnaryData<CertificateResponse>,
) => void {
  return function certificate(call, callback) {
    const started = performance.now();
    const authority = deps.authority();
    const fields: Record<string, string | number | string[] | undefined> = { peer: call.getPeer() };
    answer(authority, call.request, call.metadata, deps.clock(), fields).then(
      (response) => {
        callback(null, response);
        log(deps.logger, "OK", fields, started);
      },
      (error: unknown) => {
        const answer = statusFromError(error);
        if (answer.internal) fields.cause = error instanceof Error ? error.message : String(error);
        fields.error = answer.details;
        callback({ code: answer.code, details: answer.details });
        log(deps.logger, status[answer.code], fields, started);
      },
    );
  };
}

async function answer(
  authority: Authority,
  request: CertificateRequest,
  metadata: Metadata,
  now: Date,
  fields: Record<string, string | number | string[] | undefined>,
): Promise<CertificateResponse> {
  const presented = metadata.get("token")[0];
  fields.token_slot = await checkToken(
    authority.tokens,
    presented === undefined ? undefined : String(presented),
  );
  const issued = await issueCertificate(authority, request.csr ?? new Uint8Array(), now);
  fields.cn = issued.commonName;
  fields.dns = issued.dnsNames;
  fields.ips = issued.ipAddresses;
  fields.serial = issued.serial;
  fields.not_after = issued.notAfter.toISOString();
  return { ca: encoder.encode(issued.caPem), crt: encoder.encode(issued.certificatePem) };
}

function log(
  logger: Logger,
  code: string,
  fields: Record<string, string | number | string[] | undefined>,
  started: number,
): void {
  const level = code === "OK" ? "info" : code === "INTERNAL" ? "error" : "warn";
  logger.log(level, "certificate request", {
    ...fields,
    code,
    latency_ms: Math.round((performance.now() - started) * 100) / 100,
  });
}
