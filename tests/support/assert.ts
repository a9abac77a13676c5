/**
 * The handful of assertions the tests use. `jsr:@std/assert` is not reachable from these
 * machines, so these are written on `node:assert`, whose failures print a diff.
 *
 * @module
 */
import nodeAssert from "node:assert/strict";

/**
 * Asserts that `value` is truthy.
 *
 * @param value the value
 * @param message shown on failure
 */
export function assert(value: unknown, message?: string): asserts value {
  nodeAssert.ok(value, message as string);
}

/**
 * Asserts deep equality.
 *
 * @param actual what the code produced
 * @param expected what the contract says
 * @param message shown on failure
 */
export function assertEquals<T>(
  actual: unknown,
  expected: T,
  message?: string,
): asserts actual is T {
  nodeAssert.deepStrictEqual(actual, expected, message as string);
}

/**
 * Asserts that `text` matches `pattern`.
 *
 * @param text the text
 * @param pattern the pattern
 */
export function assertMatch(text: string, pattern: RegExp): void {
  nodeAssert.match(text, pattern);
}

/**
 * Asserts that `text` does not match `pattern`.
 *
 * @param text the text
 * @param pattern the pattern
 */
export function assertNotMatch(text: string, pattern: RegExp): void {
  nodeAssert.doesNotMatch(text, pattern);
}

/**
 * Asserts that `run` rejects with an instance of `type`, and returns the error.
 *
 * @param run the async operation
 * @param type the expected error class
 * @param includes a substring the message must contain
 * @returns the error
 */
export async function assertRejects<E extends Error>(
  run: () => Promise<unknown>,
  type: new (...args: never[]) => E,
  includes?: string,
): Promise<E> {
  try {
    await run();
  } catch (error) {
    nodeAssert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    if (includes !== undefined) {
      nodeAssert.ok(
        (error as E).message.includes(includes),
        `"${(error as E).message}" lacks "${includes}"`,
      );
    }
    return error as E;
  }
  throw new nodeAssert.AssertionError({ message: `expected ${type.name}, nothing was thrown` });
}

/**
 * Asserts that `run` throws an instance of `type`, and returns the error.
 *
 * @param run the operation
 * @param type the expected error class
 * @param includes a substring the message must contain
 * @returns the error
 */
export function assertThrows<E extends Error>(
  run: () => unknown,
  type: new (...args: never[]) => E,
  includes?: string,
): E {
  try {
    run();
  } catch (error) {
    nodeAssert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    if (includes !== undefined) {
      nodeAssert.ok(
        (error as E).message.includes(includes),
        `"${(error as E).message}" lacks "${includes}"`,
      );
    }
    return error as E;
  }
  throw new nodeAssert.AssertionError({ message: `expected ${type.name}, nothing was thrown` });
}
