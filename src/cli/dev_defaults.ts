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

/**
 * The address a client on this host dials to reach `dev`, read from the flags `serve` will get
 * (the last of each wins, as in `serve`), so the banner's commands stay true when the user moves
 * the port. A wildcard listen address is dialled on loopback; port 0 is only known once listening.
 *
 * @param flags the development defaults followed by the user's flags
 * @returns `host:port`, with `PORT` standing for a port chosen at start-up
 * @example
 * ```ts
 * devEndpoint([...DEV_DEFAULT_FLAGS, "--port", "50011"]); // "127.0.0.1:50011"
 * ```
 */
export function devEndpoint(flags: readonly string[]): string {
  const host = lastFlag(flags, "listen-address") ?? "127.0.0.1";
  const port = lastFlag(flags, "port") ?? "50001";
  const dialled = host === "0.0.0.0" || host === "::" || host === "" ? "127.0.0.1" : host;
  const shown = dialled.includes(":") ? `[${dialled}]` : dialled;
  return `${shown}:${port === "0" ? "PORT" : port}`;
}

function lastFlag(flags: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  flags.forEach((flag, index) => {
    if (flag.startsWith(`--${name}=`)) value = flag.slice(name.length + 3);
    else if (flag === `--${name}`) value = flags[index + 1];
  });
  return value;
}
