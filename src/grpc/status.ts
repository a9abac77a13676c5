/**
 * The one place where errors become gRPC status codes. Everything below `src/grpc` throws domain
 * errors; this table decides what the caller sees.
 *
 * @module
 */
import { status } from "@grpc/grpc-js";
import { AuthError } from "../auth/token_set.ts";
import { CsrError } from "../pki/csr.ts";
import { PolicyDeniedError } from "../policy/issuance_policy.ts";
import { RateLimitedError } from "../policy/abuse_limits.ts";

/** A gRPC answer for a failed call. */
export interface StatusAnswer {
  /** The gRPC status code. */
  code: status;
  /** The message sent to the caller: safe to disclose, no secrets. */
  details: string;
  /** Whether this is our fault (logged with its cause) rather than the caller's. */
  internal: boolean;
}

/**
 * The name of every code a Certificate call can end with: OK and each code below. Metrics start
 * each at 0; a test checks every answer of {@linkcode statusFromError} is listed.
 */
export const ANSWERED_CODES: readonly string[] = [
  status.OK,
  status.UNAUTHENTICATED,
  status.INVALID_ARGUMENT,
  status.PERMISSION_DENIED,
  status.RESOURCE_EXHAUSTED,
  status.INTERNAL,
].map((code) => status[code]);

/**
 * Maps an error to the status a caller gets. Unknown errors become `INTERNAL` with a generic
 * message, so nothing internal (paths, key details) leaks to callers.
 *
 * @param error what the handler threw
 * @returns the status to answer with
 */
export function statusFromError(error: unknown): StatusAnswer {
  if (error instanceof AuthError) {
    return { code: status.UNAUTHENTICATED, details: error.message, internal: false };
  }
  if (error instanceof CsrError) {
    return { code: status.INVALID_ARGUMENT, details: error.message, internal: false };
  }
  if (error instanceof PolicyDeniedError) {
    // A name that is not a host name at all is a malformed request, not a denied one.
    const code = error.rule === "dns-syntax" ? status.INVALID_ARGUMENT : status.PERMISSION_DENIED;
    return { code, details: error.message, internal: false };
  }
  if (error instanceof RateLimitedError) {
    return { code: status.RESOURCE_EXHAUSTED, details: error.message, internal: false };
  }
  return { code: status.INTERNAL, details: "internal error", internal: true };
}
