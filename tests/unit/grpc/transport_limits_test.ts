import { ConnectionBudget } from "../../../src/grpc/transport_limits.ts";
import { assertEquals, assertThrows } from "../../support/assert.ts";

Deno.test("ConnectionBudget.admit() refuses past the per-address cap but admits other addresses", () => {
  const budget = new ConnectionBudget({ maxConnections: 10, maxConnectionsPerAddress: 2 });
  assertEquals(budget.admit("10.0.0.1"), undefined);
  assertEquals(budget.admit("10.0.0.1"), undefined);
  assertEquals(budget.admit("10.0.0.1"), "max-connections-per-address");
  assertEquals(budget.admit("10.0.0.2"), undefined);
  assertEquals(budget.total, 3);
});

Deno.test("ConnectionBudget.admit() refuses past the total cap whatever the address", () => {
  const budget = new ConnectionBudget({ maxConnections: 2, maxConnectionsPerAddress: 0 });
  assertEquals(budget.admit("a"), undefined);
  assertEquals(budget.admit("b"), undefined);
  assertEquals(budget.admit("c"), "max-connections");
});

Deno.test("ConnectionBudget.release() frees the slot and forgets addresses with no connection", () => {
  const budget = new ConnectionBudget({ maxConnections: 1, maxConnectionsPerAddress: 1 });
  assertEquals(budget.admit("a"), undefined);
  budget.release("a");
  assertEquals([budget.total, budget.addresses], [0, 0]);
  budget.release("a"); // a second release of the same slot changes nothing
  assertEquals(budget.total, 0);
  assertEquals(budget.admit("b"), undefined);
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
