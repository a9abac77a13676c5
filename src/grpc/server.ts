/**
 * The gRPC listener: TLS (ALPN h2), the SecurityService, and start/stop.
 *
 * @module
 */
import { loadPackageDefinition, Server } from "@grpc/grpc-js";
import type { ServiceDefinition } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";
import { ReplaceableTlsCredentials, type ServingTls } from "./tls_credentials.ts";
import { type CertificateServiceDeps, createCertificateHandler } from "./security_service.ts";

export type { ServingTls };

/** Options for {@linkcode serveSigner}. */
export interface SignerServerOptions extends CertificateServiceDeps {
  /** Address to bind. */
  host: string;
  /** Port to bind; 0 picks a free one. */
  port: number;
  /** TLS material. */
  tls: ServingTls;
  /** Oldest TLS version accepted. @default "TLSv1.2" */
  tlsMinVersion?: "TLSv1.2" | "TLSv1.3";
  /** Connections not through the TLS handshake by then are closed, ms. @default 10000 */
  tlsHandshakeTimeoutMs?: number;
  /** Connections without a call for this long are closed, ms. @default 60000 */
  connectionIdleTimeoutMs?: number;
}

/** A running signer listener. */
export interface SignerServer {
  /** The bound port. */
  port: number;
  /** Swaps the serving certificate for new handshakes; open connections keep theirs. */
  updateTls(tls: ServingTls): void;
  /** Stops accepting, lets calls in flight finish for up to `graceMs`, then closes the rest. */
  shutdown(graceMs: number): Promise<void>;
}

/** Largest request accepted: a CSR is under 4 KiB, so 64 KiB leaves room and bounds memory. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

const PROTO_PATH = fileURLToPath(new URL("../../proto/security.proto", import.meta.url));

/**
 * Starts the signer on `host:port`.
 *
 * @param options address, TLS material and handler dependencies
 * @returns the running server
 * @throws {Error} when the address cannot be bound
 */
export async function serveSigner(options: SignerServerOptions): Promise<SignerServer> {
  const server = new Server({
    "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
    "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
    "grpc.max_connection_idle_ms": options.connectionIdleTimeoutMs ?? 60_000,
  });
  server.addService(securityService(), { Certificate: createCertificateHandler(options) });
  const credentials = new ReplaceableTlsCredentials(options.tls, {
    minVersion: options.tlsMinVersion,
    handshakeTimeoutMs: options.tlsHandshakeTimeoutMs,
  });
  const address = options.host.includes(":")
    ? `[${options.host}]:${options.port}`
    : `${options.host}:${options.port}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      address,
      credentials,
      (error, bound) => error ? reject(error) : resolve(bound),
    );
  });
  return {
    port,
    updateTls(tls) {
      credentials.replace(tls);
    },
    shutdown(graceMs) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

function securityService(): ServiceDefinition {
  const definition = loadSync(PROTO_PATH, { keepCase: true, defaults: true });
  const root = loadPackageDefinition(definition) as unknown as {
    securityapi: { SecurityService: { service: ServiceDefinition } };
  };
  return root.securityapi.SecurityService.service;
}
