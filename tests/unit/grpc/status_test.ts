import { status } from "@grpc/grpc-js";
import { AuthError } from "../../../src/auth/token_set.ts";
import { statusFromError } from "../../../src/grpc/status.ts";
import { CsrError } from "../../../src/pki/csr.ts";
import { PolicyDeniedError } from "../../../src/policy/issuance_policy.ts";
import { RateLimitedError } from "../../../src/policy/abuse_limits.ts";
import { assertEquals } from "../../support/assert.ts";

Deno.test("statusFromError() maps each domain error to its code and keeps unknown errors generic", () => {
  const rows: [unknown, status, string][] = [
    [new AuthError("missing"), status.UNAUTHENTICATED, "missing token"],
    [
      new CsrError("parse", "failed to parse CSR: x"),
      status.INVALID_ARGUMENT,
      "failed to parse CSR: x",
    ],
    [
      new PolicyDeniedError("wildcard", "*", "DNS SAN * is a wildcard"),
      status.PERMISSION_DENIED,
      "DNS SAN * is a wildcard",
    ],
    [
      new PolicyDeniedError("dns-syntax", "a b", 'DNS SAN "a b" is not a well-formed host name'),
      status.INVALID_ARGUMENT,
      'DNS SAN "a b" is not a well-formed host name',
    ],
    [
      new RateLimitedError("rate", 1000, "rate limit exceeded for a"),
      status.RESOURCE_EXHAUSTED,
      "rate limit exceeded for a; retry after 1s",
    ],
    [new Error("/secret/path: EACCES"), status.INTERNAL, "internal error"],
  ];
  for (const [error, code, details] of rows) {
    const answer = statusFromError(error);
    assertEquals([answer.code, answer.details, answer.internal], [
      code,
      details,
      code === status.INTERNAL,
    ]);
  }
});
