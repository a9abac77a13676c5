/**
 * The `securityapi.SecurityService/Certificate` handler: limits, token, issuance, one log line.
 *
 * Order matters: the token is checked first (a constant-time digest compare, cheap), then the
 * per-address limits, which need its verdict: a call without a valid token is refused while its
 * address cools down, and a valid token is never refused by other callers' failures. The signing
 * work comes last, under the in-flight cap.
 *
 * @module
 */
import { type Metadata, type sendUnaryData, type ServerUnaryCall, status } from "@grpc/grpc-js";
import { AuthError, checkToken } from "../auth/token_set.ts";
import { type Authority, issueCertificate } from "../authority.ts";
import { CsrError } from "../pki/csr.ts";
import type { LogFields, Logger } from "../ops/log.ts";
import type { InFlightLimit } from "../ops/in_flight_limit.ts";
import type { AbuseLimits } from "../policy/abuse_limits.ts";
import { PolicyDeniedError } from "../policy/issuance_policy.ts";
import { peerAddress } from "./peer_address.ts";
import type { CallOutcome } from "../ops/metrics.ts";
import { RateLimitedError } from "../policy/abuse_limits.ts";
import { statusFromError } from "./status.ts";

/** The decoded `CertificateRequest`. */
export interface CertificateRequest {
  /** PEM CSR bytes. */
  csr: Uint8Array;
  /** Why the message itself could not be read (not a protobuf message), if it could not. */
  malformed?: string;
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
  /** The time source for issuance and limits. */
  clock: () => Date;
  /** Per-address limits; none when absent. */
  limits?: AbuseLimits;
  /** Cap on concurrent signing; none when absent. */
  inFlight?: InFlightLimit;
  /** Receives every call's outcome (metrics). */
  observe?: (outcome: CallOutcome) => void;
  /** Told the `getPeer()` of every call that presented a valid token (its connection is kept). */
  onAuthenticated?: (peer: string) => void;
}

/** The gRPC path of the one method workers call. */
export const CERTIFICATE_METHOD = "/securityapi.SecurityService/Certificate";

const encoder = new TextEncoder();

/**
 * Creates the unary handler for Certificate calls.
 *
 * @param deps the authority source, logger, clock and limits
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
    const fields: LogFields = { peer: call.getPeer() };
    const outcome: Partial<CallOutcome> = {};
    answer(deps, call.request, call.metadata, peerAddress(call.getPeer()), fields).then(
      (response) => {
        callback(null, response);
        finish(deps, "OK", fields, outcome, started);
      },
      (error: unknown) => {
        const answer = statusFromError(error);
        if (answer.internal) fields.cause = error instanceof Error ? error.message : String(error);
        if (error instanceof PolicyDeniedError) fields.rule = outcome.policyRule = error.rule;
        if (error instanceof AuthError) outcome.authFailure = error.reason;
        if (error instanceof RateLimitedError) fields.limit = outcome.limitReason = error.reason;
        fields.error = answer.details;
        callback({ code: answer.code, details: answer.details });
        finish(deps, status[answer.code], fields, outcome, started);
      },
    );
  };
}

async function answer(
  deps: CertificateServiceDeps,
  request: CertificateRequest,
  metadata: Metadata,
  address: string,
  fields: LogFields,
): Promise<CertificateResponse> {
  const authority = deps.authority();
  const now = deps.clock();
  const presented = metadata.get("token")[0];
  const verdict = tokenVerdict(authority, presented === undefined ? undefined : String(presented));
  deps.limits?.admit(address, now.getTime(), typeof verdict === "number");
  if (verdict instanceof AuthError) {
    if (verdict.reason === "invalid") deps.limits?.recordAuthFailure(address, now.getTime());
    throw verdict;
  }
  fields.token_slot = verdict;
  deps.onAuthenticated?.(String(fields.peer));
  if (request.malformed !== undefined) {
    throw new CsrError("decode", `failed to decode CertificateRequest: ${request.malformed}`);
  }
  const issue = () => issueCertificate(authority, request.csr ?? new Uint8Array(), now, address);
  const issued = await (deps.inFlight ? deps.inFlight.run(issue) : issue());
  fields.cn = issued.commonName;
  fields.dns = issued.dnsNames;
  fields.ips = issued.ipAddresses;
  fields.serial = issued.serial;
  fields.not_after = issued.notAfter.toISOString();
  if (issued.warnings.length > 0) fields.policy_warnings = issued.warnings.map((w) => w.message);
  deps.logger.log("info", "certificate issued", {
    audit: true,
    peer: fields.peer,
    token_slot: fields.token_slot,
    subject: issued.subject,
    dns: issued.dnsNames,
    ips: issued.ipAddresses,
    serial: issued.serial,
    not_before: issued.notBefore.toISOString(),
    not_after: issued.notAfter.toISOString(),
    issuer_fingerprint: authority.issuingCa.fingerprint,
  });
  return { ca: encoder.encode(issued.caPem), crt: encoder.encode(issued.certificatePem) };
}

/** The matching token's slot, or why there is none (the limits need the verdict either way). */
function tokenVerdict(authority: Authority, presented: string | undefined): number | AuthError {
  try {
    return checkToken(authority.tokens, presented);
  } catch (error) {
    if (error instanceof AuthError) return error;
    throw error;
  }
}

function finish(
  deps: CertificateServiceDeps,
  code: string,
  fields: LogFields,
  outcome: Partial<CallOutcome>,
  started: number,
): void {
  const seconds = (performance.now() - started) / 1000;
  const level = code === "OK"
    ? (fields.policy_warnings ? "warn" : "info")
    : code === "INTERNAL"
    ? "error"
    : "warn";
  deps.logger.log(level, "certificate request", {
    ...fields,
    code,
    latency_ms: Math.round(seconds * 100_000) / 100,
  });
  if (typeof fields.token_slot === "number") outcome.tokenSlot = fields.token_slot;
  deps.observe?.({ ...outcome, method: CERTIFICATE_METHOD, code, seconds });
}
