/**
 * A worker-style Certificate call, for the `request` verb: one fresh TLS connection, the token in
 * metadata, a 10 s deadline.
 *
 * @module
 */
import { credentials, loadPackageDefinition, Metadata, status } from "@grpc/grpc-js";
import type { ServiceClientConstructor } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";

const PROTO_PATH = fileURLToPath(new URL("../../proto/security.proto", import.meta.url));

/**
 * Calls `securityapi.SecurityService/Certificate`.
 *
 * The chain is verified against `caPem`. The server's name is not checked here: Deno's node:tls
 * refuses an IP address as server name, so the caller verifies the identity for the dialled host
 * on its own TLS connection first (`Deno.connectTls` checks IP SANs) and this connection names a
 * placeholder.
 *
 * @param host the host dialled
 * @param port its port
 * @param caPem the CA bundle to verify the server chain against
 * @param token the token metadata
 * @param csr the PEM CSR
 * @returns the answer's `ca` and `crt`, or the status as `CODE: message`
 */
export async function callCertificate(
  host: string,
  port: number,
  caPem: string,
  token: string,
  csr: string,
): Promise<{ ca: string; crt: string } | { error: string }> {
  const definition = loadSync(PROTO_PATH, { keepCase: true, defaults: true });
  const { SecurityService } = (loadPackageDefinition(definition) as unknown as {
    securityapi: { SecurityService: ServiceClientConstructor };
  }).securityapi;
  const client = new SecurityService(
    host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`,
    credentials.createSsl(Buffer.from(caPem), null, null, { checkServerIdentity: () => undefined }),
    { "grpc.ssl_target_name_override": "talos-csr-signer.invalid" },
  );
  const metadata = new Metadata();
  metadata.set("token", token);
  try {
    return await new Promise((resolve) => {
      (client as unknown as { Certificate: (...a: unknown[]) => void }).Certificate(
        { csr: Buffer.from(csr) },
        metadata,
        { deadline: new Date(Date.now() + 10_000) },
        (
          error: { code: number; details: string } | null,
          response?: { ca: Buffer; crt: Buffer },
        ) => {
          if (error) resolve({ error: `${status[error.code]}: ${error.details}` });
          else resolve({ ca: response!.ca.toString(), crt: response!.crt.toString() });
        },
      );
    });
  } finally {
    client.close();
  }
}
