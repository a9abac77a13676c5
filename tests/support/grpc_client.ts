/**
 * A Certificate call with `@grpc/grpc-js` as a client, the way a worker makes it: fresh TLS
 * connection, server verified against the Talos CA, token in metadata.
 *
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { REPO_ROOT } from "./fixtures.ts";

/** The outcome of one call. */
export type CallResult =
  | { ok: true; ca: string; crt: string }
  | { ok: false; code: grpc.status; details: string };

/** Options for {@linkcode callCertificate}. */
export interface CallOptions {
  /** Server port on 127.0.0.1. */
  port: number;
  /** CA bundle that must verify the server certificate. */
  caPem: string;
  /** Token metadata value; omitted when undefined. */
  token?: string;
  /** CSR bytes (or text) to send. */
  csr: Uint8Array | string;
  /**
   * TLS server name to verify. @default "localhost". Deno's `node:tls` refuses an IP address as
   * server name, so IP SANs are verified by the Python and Go clients instead.
   */
  serverName?: string;
  /** Method path. @default "/securityapi.SecurityService/Certificate" */
  method?: string;
}

const definition = loadSync(`${REPO_ROOT}proto/security.proto`, { keepCase: true, defaults: true });
const root = grpc.loadPackageDefinition(definition) as unknown as {
  securityapi: { SecurityService: grpc.ServiceClientConstructor };
};

/**
 * Makes one Certificate call on a fresh channel.
 *
 * @param options target, trust, token and CSR
 * @returns the response or the status
 */
export function callCertificate(options: CallOptions): Promise<CallResult> {
  const credentials = grpc.credentials.createSsl(Buffer.from(options.caPem));
  const channelOptions = options.serverName
    ? { "grpc.ssl_target_name_override": options.serverName }
    : {};
  const client = new root.securityapi.SecurityService(
    `localhost:${options.port}`,
    credentials,
    channelOptions,
  );
  const metadata = new grpc.Metadata();
  if (options.token !== undefined) metadata.set("token", options.token);
  const csr = typeof options.csr === "string" ? Buffer.from(options.csr) : Buffer.from(options.csr);
  const deadline = new Date(Date.now() + 10_000);
  return new Promise((resolve) => {
    const callback = (error: grpc.ServiceError | null, response?: { ca: Buffer; crt: Buffer }) => {
      client.close();
      if (error) resolve({ ok: false, code: error.code, details: error.details });
      else resolve({ ok: true, ca: response!.ca.toString(), crt: response!.crt.toString() });
    };
    if (options.method) {
      client.makeUnaryRequest(
        options.method,
        (v: { csr: Buffer }) => Buffer.from(v.csr),
        (b: Buffer) => ({ ca: b, crt: b }),
        { csr },
        metadata,
        { deadline },
        callback,
      );
    } else {
      (client as unknown as { Certificate: (...a: unknown[]) => void }).Certificate(
        { csr },
        metadata,
        { deadline },
        callback,
      );
    }
  });
}
