/**
 * Certificate calls with `@grpc/grpc-js` running on Node.js (tests/interop/node), the way a worker
 * makes them: a fresh TLS connection per call, the server verified against the Talos CA, the token
 * in metadata.
 *
 * The client runs under Node rather than in the Deno test process because Deno 2.9's `node:http2`
 * can abort the process on GOAWAY handling (denoland/deno#36788); see docs/operations.md.
 *
 * @module
 */
import type { status } from "@grpc/grpc-js";
import { REPO_ROOT } from "./fixtures.ts";
import { runWithInput } from "./process.ts";
import { registerSecrets } from "./secret_registry.ts";

/** The outcome of one call. */
export type CallResult =
  | { ok: true; ca: string; crt: string }
  | { ok: false; code: status; details: string };

/** One call in a batch. */
export interface CallSpec {
  /** Token metadata value; omitted when undefined. */
  token?: string;
  /** CSR bytes (or text) to send. */
  csr: Uint8Array | string;
  /** Send `csr` as the whole message body, not wrapped in a CertificateRequest. @default false */
  rawMessage?: boolean;
  /** Method path. @default "/securityapi.SecurityService/Certificate" */
  method?: string;
  /** TLS server name to verify. @default "127.0.0.1" (the IP SAN) */
  serverName?: string;
}

/** Options for {@linkcode callCertificate}. */
export interface CallOptions extends CallSpec {
  /** Server port on 127.0.0.1. */
  port: number;
  /** CA bundle that must verify the server certificate. */
  caPem: string;
}

/** How a batch is sent. */
export interface BatchOptions {
  /** Send every call over one shared connection. @default false */
  shared?: boolean;
  /** Calls in parallel. @default 1 */
  concurrency?: number;
}

/**
 * Makes a batch of calls from one Node.js process.
 *
 * @param port server port on 127.0.0.1
 * @param caPem CA bundle the client trusts
 * @param calls the calls
 * @param options connection sharing and concurrency
 * @returns the results, in call order
 */
export async function callBatch(
  port: number,
  caPem: string,
  calls: CallSpec[],
  options: BatchOptions = {},
): Promise<CallResult[]> {
  const encoder = new TextEncoder();
  registerSecrets("token", calls.flatMap((c) => c.token ?? []), "callBatch() presented");
  const input = JSON.stringify({
    port,
    caPem,
    ...options,
    calls: calls.map(({ csr, ...rest }) => ({
      ...rest,
      csrBase64: (typeof csr === "string" ? encoder.encode(csr) : csr).toBase64(),
    })),
  });
  const output = await runWithInput(
    "node",
    [`${REPO_ROOT}tests/interop/node/grpc_js_client.mjs`],
    input,
    {
      NODE_NO_WARNINGS: "1",
    },
  );
  if (output.code !== 0) {
    throw new Error(`grpc-js client failed (${output.code}): ${output.stderr}`);
  }
  return JSON.parse(output.stdout);
}

/**
 * Makes one Certificate call on a fresh connection.
 *
 * @param options target, trust, token and CSR
 * @returns the response or the status
 */
export async function callCertificate(options: CallOptions): Promise<CallResult> {
  const { port, caPem, ...spec } = options;
  const [result] = await callBatch(port, caPem, [spec]);
  return result!;
}
