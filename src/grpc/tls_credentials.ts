/**
 * Server TLS credentials whose certificate can be replaced while the listener runs.
 *
 * grpc-js re-applies a credentials object's context options to its TLS servers whenever they
 * change; this class exposes that so a renewed or reloaded serving certificate takes effect for
 * new handshakes without a restart.
 *
 * @module
 */
import { ServerCredentials } from "@grpc/grpc-js";

/** TLS material for the listener. */
export interface ServingTls {
  /** Serving certificate chain, PEM. */
  certificatePem: string;
  /** Its key, PEM. */
  keyPem: string;
  /**
   * CA certificates, PEM, passed as the TLS context's roots. grpc-js falls back to the system
   * bundle from `GRPC_DEFAULT_SSL_ROOTS_FILE_PATH` when none are given, and Deno's TLS server sends
   * every root in its handshake, which overflows clients' limits; so ours are always given.
   */
  rootsPem: string;
}

/** Listener-wide TLS settings. */
export interface TlsListenerOptions {
  /** Oldest TLS version accepted. @default "TLSv1.2" */
  minVersion?: "TLSv1.2" | "TLSv1.3";
  /** Time allowed for a TLS handshake, ms. @default 10000 */
  handshakeTimeoutMs?: number;
}

/** Replaceable server credentials. No client certificate is requested (contract §1). */
export class ReplaceableTlsCredentials extends ServerCredentials {
  /**
   * @param tls the initial serving material
   * @param options the oldest TLS version (never below 1.2) and the handshake timeout
   */
  constructor(tls: ServingTls, options: TlsListenerOptions = {}) {
    super({
      requestCert: false,
      minVersion: options.minVersion ?? "TLSv1.2",
      handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
    }, contextOptions(tls));
  }

  /**
   * Uses `tls` for every handshake from now on.
   *
   * @param tls the new serving material
   */
  replace(tls: ServingTls): void {
    this.updateSecureContextOptions(contextOptions(tls));
  }

  /** grpc-js compares credentials to reuse listeners; ours are only ever equal to themselves. */
  override _equals(other: ServerCredentials): boolean {
    return other === this;
  }
}

function contextOptions(tls: ServingTls) {
  return {
    ca: Buffer.from(tls.rootsPem),
    cert: Buffer.from(tls.certificatePem),
    key: Buffer.from(tls.keyPem),
  };
}
