/**
 * Runs `decodePem()` in a worker, so a test can stop a decode that runs away (a worker can be
 * terminated mid-computation; the test's own thread cannot).
 *
 * @module
 */
import { decodePem } from "../../src/pki/pem.ts";

/** The worker's global scope, as far as this module uses it. */
const scope = self as unknown as {
  onmessage: (event: MessageEvent<string>) => void;
  postMessage: (message: { blocks: number } | { error: string }) => void;
};

scope.onmessage = (event) => {
  try {
    scope.postMessage({ blocks: decodePem(event.data).length });
  } catch (error) {
    scope.postMessage({ error: (error as Error).message });
  }
};
