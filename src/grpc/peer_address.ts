/**
 * The caller's IP address from grpc-js's peer string.
 *
 * @module
 */

/**
 * Strips the port from a grpc-js peer (`127.0.0.1:5000`, `[::1]:5000`, `::ffff:10.0.0.1:5000`).
 *
 * @param peer the value of `call.getPeer()`
 * @returns the address without port
 */
export function peerAddress(peer: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(peer);
  if (bracketed) return bracketed[1]!;
  const cut = peer.lastIndexOf(":");
  return cut > 0 && /^\d+$/.test(peer.slice(cut + 1)) ? peer.slice(0, cut) : peer;
}
