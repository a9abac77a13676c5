/**
 * The addresses a Talos worker dials for trustd (contract §5): for an IP endpoint, that IP; for a
 * host name, every address it resolves to (verified against the IP) and, since Talos 1.13, the name
 * itself (verified against the name). `request` checks each of them the same way.
 *
 * @module
 */
import { lookup } from "node:dns/promises";
import { classifyName } from "../config/host_names.ts";

/** An endpoint as given: a host (IP or DNS name) and port, and where it came from. */
export interface EndpointSpec {
  /** IP address or DNS name. */
  host: string;
  /** TCP port. */
  port: number;
  /** Where it came from, for the report (`--endpoint`, `cluster.controlPlane.endpoint`). */
  source: string;
}

/** One address to dial, verified against `host` like a worker verifies it. */
export interface DialTarget {
  /** What is dialled and what the serving certificate must name. */
  host: string;
  /** TCP port. */
  port: number;
  /** Why a worker dials it. */
  why: string;
}

/** Resolves a name to its addresses (getaddrinfo, so /etc/hosts counts, as for a worker). */
export type Resolver = (name: string) => Promise<string[]>;

async function resolveAll(name: string): Promise<string[]> {
  return (await lookup(name, { all: true })).map((a) => a.address);
}

/**
 * Expands endpoints into the addresses a worker dials, without duplicates.
 *
 * @param specs the endpoints
 * @param resolve the name resolver
 * @returns the targets, in order; a name that does not resolve is still dialled by name
 */
export async function workerTargets(
  specs: readonly EndpointSpec[],
  resolve: Resolver = resolveAll,
): Promise<DialTarget[]> {
  const targets: DialTarget[] = [];
  const add = (target: DialTarget) => {
    if (!targets.some((t) => t.host === target.host && t.port === target.port)) {
      targets.push(target);
    }
  };
  for (const spec of specs) {
    if (classifyName(spec.host).kind === "ip") {
      add({ host: spec.host, port: spec.port, why: spec.source });
      continue;
    }
    let addresses: string[] = [];
    try {
      addresses = await resolve(spec.host);
    } catch {
      // Dialling the name below reports the resolution failure.
    }
    for (const address of addresses) {
      add({ host: address, port: spec.port, why: `${spec.source} ${spec.host} resolves to it` });
    }
    add({ host: spec.host, port: spec.port, why: `${spec.source} (by name, Talos >= 1.13)` });
  }
  return targets;
}

/**
 * `host:port`, with brackets around an IPv6 address.
 *
 * @param target the address
 * @returns its text
 */
export function formatTarget(target: { host: string; port: number }): string {
  return target.host.includes(":")
    ? `[${target.host}]:${target.port}`
    : `${target.host}:${target.port}`;
}
