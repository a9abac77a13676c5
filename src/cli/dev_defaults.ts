/**
 * What `dev` gives `serve` before the user's own flags, shared by `dev` and its `--help`.
 *
 * @module
 */

/** Where development material lives unless `DEV_STATE_DIR` says otherwise. */
export const DEFAULT_STATE_DIR = ".dev-state";

/** The flags `dev` passes to `serve` first (the user's flags, after them, win). */
export const DEV_DEFAULT_FLAGS: readonly string[] = [
  "--listen-address=127.0.0.1",
  "--port=50001",
  "--log-format=text",
];
