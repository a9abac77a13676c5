/**
 * Connection slots in total and per source address, and who gives one up when a cap is full: the
 * bookkeeping behind `MAX_CONNECTIONS` and `MAX_CONNECTIONS_PER_ADDRESS`, kept apart from the
 * HTTP/2 wiring in `transport_limits.ts` so it is tested without sockets.
 *
 * @module
 */
import type { LimitRefusalReason, TransportLimits } from "./transport_limits.ts";

/** One connection holding a slot. */
export interface HeldConnection {
  /** The peer's address (no port). */
  readonly address: string;
  /** True once a call on it presented a valid token: such a connection is never evicted. */
  authenticated: boolean;
}

/** What {@linkcode ConnectionBudget.admit} decided. */
export interface Admission<C extends HeldConnection> {
  /** The limit that refused the newcomer; undefined when it was admitted. */
  refused?: LimitRefusalReason;
  /** The connection whose slot the newcomer took (already released: the caller closes it). */
  evicted?: C;
}

/**
 * Counts open connections in total and per address. Pure bookkeeping.
 *
 * At a full cap the oldest connection at that scope (the address for the per-address cap, every
 * address for the total) that never carried a valid token gives up its slot to the newcomer, so
 * peers without a token cannot hold slots against workers; the newcomer is refused only when every
 * connection at that scope is authenticated.
 */
export class ConnectionBudget<C extends HeldConnection = HeldConnection> {
  readonly #limits: Pick<TransportLimits, "maxConnections" | "maxConnectionsPerAddress">;
  readonly #perAddress = new Map<string, number>();
  /** Insertion order is age order: oldest first. */
  readonly #held = new Set<C>();

  /**
   * @param limits total and per-address maximums (0: no limit)
   * @throws {RangeError} when a limit is negative or not an integer
   */
  constructor(limits: Pick<TransportLimits, "maxConnections" | "maxConnectionsPerAddress">) {
    for (const [name, value] of Object.entries(limits)) {
      if (!Number.isInteger(value) || value < 0) {
        throw new RangeError(`Cannot limit connections: ${name} must be 0 or more, got ${value}`);
      }
    }
    this.#limits = limits;
  }

  /**
   * Takes a slot for a new connection, evicting the oldest unauthenticated one at a full cap.
   *
   * @param connection the newcomer
   * @returns the refusal, or the connection evicted to admit it (call {@linkcode release} for
   * the newcomer once it closes)
   */
  admit(connection: C): Admission<C> {
    const { maxConnections, maxConnectionsPerAddress } = this.#limits;
    const { address } = connection;
    let evicted: C | undefined;
    if (maxConnectionsPerAddress > 0 && this.#count(address) >= maxConnectionsPerAddress) {
      evicted = this.#oldestUnauthenticated(address);
      if (!evicted) return { refused: "max-connections-per-address" };
    } else if (maxConnections > 0 && this.#held.size >= maxConnections) {
      evicted = this.#oldestUnauthenticated();
      if (!evicted) return { refused: "max-connections" };
    }
    if (evicted) this.release(evicted);
    this.#held.add(connection);
    this.#perAddress.set(address, this.#count(address) + 1);
    return evicted ? { evicted } : {};
  }

  /**
   * Gives back the slot of a closed (or evicted) connection; a second call changes nothing.
   *
   * @param connection the connection admitted
   */
  release(connection: C): void {
    if (!this.#held.delete(connection)) return;
    const fromAddress = this.#count(connection.address);
    if (fromAddress <= 1) this.#perAddress.delete(connection.address);
    else this.#perAddress.set(connection.address, fromAddress - 1);
  }

  /** Open connections now. */
  get total(): number {
    return this.#held.size;
  }

  /** Addresses with an open connection now (the map never outgrows the connections). */
  get addresses(): number {
    return this.#perAddress.size;
  }

  #count(address: string): number {
    return this.#perAddress.get(address) ?? 0;
  }

  #oldestUnauthenticated(address?: string): C | undefined {
    for (const held of this.#held) {
      if (!held.authenticated && (address === undefined || held.address === address)) return held;
    }
    return undefined;
  }
}
