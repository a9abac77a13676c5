/**
 * Binding the gRPC listener to every address of both families, as native trustd does: a worker
 * dials the IPv4 or IPv6 addresses of the control-plane endpoint and of the `default/kubernetes`
 * EndpointSlice (contract §5), so an IPv4-only default refuses some of them.
 *
 * @module
 */

/** The default listen address: every IPv6 address and, through IPv4-mapped addresses, every IPv4 one. */
export const DUAL_STACK_ANY = "::";
/** Every IPv4 address: where {@linkcode bindListenAddress} falls back without IPv6. */
export const IPV4_ANY = "0.0.0.0";

/** Where the listener ended up. */
export interface BoundListener {
  /** The address bound: the requested one, or `0.0.0.0` after the fallback. */
  host: string;
  /** The bound port. */
  port: number;
  /** The `host:port` text the listener was bound with (IPv6 in brackets), for unbinding. */
  address: string;
}

/**
 * Formats `host:port` the way grpc-js and URLs expect, with an IPv6 host in brackets.
 *
 * @param host an IPv4 or IPv6 address or a name
 * @param port the port
 * @returns the address text
 * @example formatHostPort("::", 50001) // "[::]:50001"
 */
export function formatHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Whether a bind error means the host has no IPv6 (kernel without IPv6, or IPv6 disabled), as
 * opposed to a port in use or a missing permission, which must stop start-up.
 *
 * @param error what the bind reported
 * @returns true for "address family not supported" and "address not available"
 */
export function isIpv6Unavailable(error: unknown): boolean {
  return /EAFNOSUPPORT|EADDRNOTAVAIL|address family not supported/i.test(String(error));
}

/**
 * Binds `host:port`; when `host` is `::` and the host has no IPv6, binds `0.0.0.0` instead and says
 * so through `onFallback`, so IPv4 workers are still served.
 *
 * @param host the configured listen address
 * @param port the configured port (0: any free port)
 * @param bind binds one `host:port` text and resolves to the bound port
 * @param onFallback told the reason when the IPv4-only fallback was taken
 * @returns the address and port actually bound
 * @throws {Error} what `bind` threw, for any other failure
 */
export async function bindListenAddress(
  host: string,
  port: number,
  bind: (address: string) => Promise<number>,
  onFallback: (reason: string) => void,
): Promise<BoundListener> {
  const address = formatHostPort(host, port);
  try {
    return { host, port: await bind(address), address };
  } catch (error) {
    if (host !== DUAL_STACK_ANY || !isIpv6Unavailable(error)) throw error;
    onFallback(String((error as Error).message ?? error));
    const fallback = formatHostPort(IPV4_ANY, port);
    return { host: IPV4_ANY, port: await bind(fallback), address: fallback };
  }
}
