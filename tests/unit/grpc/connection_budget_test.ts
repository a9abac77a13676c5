import { ConnectionBudget, type HeldConnection } from "../../../src/grpc/connection_budget.ts";
import { assertEquals, assertThrows } from "../../support/assert.ts";

/** A connection from `address`; `authenticated` once it carried a valid token. */
const from = (address: string, authenticated = false): HeldConnection => ({
  address,
  authenticated,
});

Deno.test("ConnectionBudget.admit() refuses past the per-address cap when every connection there is authenticated, but admits other addresses", () => {
  const budget = new ConnectionBudget({ maxConnections: 10, maxConnectionsPerAddress: 2 });
  assertEquals(budget.admit(from("10.0.0.1", true)), {});
  assertEquals(budget.admit(from("10.0.0.1", true)), {});
  assertEquals(budget.admit(from("10.0.0.1")), { refused: "max-connections-per-address" });
  assertEquals(budget.admit(from("10.0.0.2")), {});
  assertEquals(budget.total, 3);
});

Deno.test("ConnectionBudget.admit() refuses past the total cap whatever the address when every connection is authenticated", () => {
  const budget = new ConnectionBudget({ maxConnections: 2, maxConnectionsPerAddress: 0 });
  assertEquals(budget.admit(from("a", true)), {});
  assertEquals(budget.admit(from("b", true)), {});
  assertEquals(budget.admit(from("c")), { refused: "max-connections" });
});

Deno.test("ConnectionBudget.admit() at a full per-address cap evicts the oldest unauthenticated connection of that address only", () => {
  const budget = new ConnectionBudget({ maxConnections: 10, maxConnectionsPerAddress: 3 });
  const other = from("10.0.0.9");
  const worker = from("10.0.0.1", true);
  const oldest = from("10.0.0.1");
  const newer = from("10.0.0.1");
  for (const connection of [other, worker, oldest, newer]) budget.admit(connection);
  const newcomer = from("10.0.0.1");
  assertEquals(budget.admit(newcomer), { evicted: oldest });
  assertEquals(budget.admit(from("10.0.0.1")), { evicted: newer });
  assertEquals(budget.total, 4);
});

Deno.test("ConnectionBudget.admit() at a full total cap evicts the oldest unauthenticated connection of any address", () => {
  const budget = new ConnectionBudget({ maxConnections: 3, maxConnectionsPerAddress: 2 });
  const worker = from("a", true);
  const holder = from("b");
  for (const connection of [worker, holder, from("c")]) budget.admit(connection);
  assertEquals(budget.admit(from("d")), { evicted: holder });
  assertEquals([budget.total, budget.addresses], [3, 3]);
  budget.release(holder); // the evicted connection's close event later changes nothing
  assertEquals(budget.total, 3);
});

Deno.test("ConnectionBudget.release() frees the slot and forgets addresses with no connection", () => {
  const budget = new ConnectionBudget({ maxConnections: 1, maxConnectionsPerAddress: 1 });
  const a = from("a", true);
  assertEquals(budget.admit(a), {});
  budget.release(a);
  assertEquals([budget.total, budget.addresses], [0, 0]);
  budget.release(a); // a second release of the same slot changes nothing
  assertEquals(budget.total, 0);
  assertEquals(budget.admit(from("b")), {});
});

Deno.test("ConnectionBudget() refuses negative or fractional limits", () => {
  assertThrows(
    () => new ConnectionBudget({ maxConnections: -1, maxConnectionsPerAddress: 1 }),
    RangeError,
    "maxConnections must be 0 or more",
  );
  assertThrows(
    () => new ConnectionBudget({ maxConnections: 1, maxConnectionsPerAddress: 1.5 }),
    RangeError,
  );
});
