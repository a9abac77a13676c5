/**
 * Runs the real server (`main.ts`) as a child process on a loopback port, the way an operator
 * would, and collects everything it logs so tests can check log lines too.
 *
 * @module
 */
import { REPO_ROOT } from "./fixtures.ts";
import { parseSecretsBundle } from "../../src/config/secrets_bundle.ts";
import { registerSecrets, registerTokenFile, SUITE_LOG_DIR } from "./secret_registry.ts";

/** A running server process. */
export interface ServerProcess {
  /** The port it listens on. */
  port: number;
  /** The HTTP (health/metrics) port, when enabled. */
  httpPort?: number;
  /** Its process id. */
  pid: number;
  /** Log lines so far (stderr). */
  logs: string[];
  /** Sends a signal and waits for exit; returns the exit code and all logs. */
  stop(signal?: Deno.Signal): Promise<{ code: number; logs: string[] }>;
}

/** Result of a process that was expected to exit on its own. */
export interface ExitedProcess {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

const PERMISSIONS = [
  "--allow-net",
  "--allow-env",
  "--allow-read",
  "--allow-write",
  "--allow-sys=gid",
  "--allow-ffi", // as the start task: main.ts opens malloc_trim, then revokes it
];

/** Every server process's logs in this test file. */
export const ALL_LOGS: string[] = [];

export { SUITE_LOG_DIR };

function keep(lines: string[], text: string): void {
  lines.push(text);
  ALL_LOGS.push(text);
  Deno.mkdirSync(SUITE_LOG_DIR, { recursive: true });
  Deno.writeTextFileSync(`${SUITE_LOG_DIR}/${Deno.pid}.log`, text + "\n", { append: true });
}

/**
 * Starts `main.ts serve` on 127.0.0.1 and a free port and waits until it is listening.
 *
 * @param args flags (port and address are added unless given)
 * @param env extra environment
 * @param verb `serve`, or `dev` (whose own defaults these flags override)
 * @param command the `deno` arguments before the flags, when not `run` with every permission
 *   (e.g. the permissions the compiled binary has, or `task dev`); run in the repository root
 * @param options `listenDefault`: do not add `--listen-address=127.0.0.1`, so the server listens
 *   where it does by default (every address of both families)
 * @returns the running server
 * @throws {Error} with the server's output when it exits before listening
 */
export async function startServer(
  args: string[],
  env: Record<string, string> = {},
  verb: "serve" | "dev" = "serve",
  command: readonly string[] = ["run", ...PERMISSIONS, `${REPO_ROOT}main.ts`, verb],
  options: { listenDefault?: boolean } = {},
): Promise<ServerProcess> {
  registerConfiguredSecrets(args, env);
  const child = new Deno.Command(Deno.execPath(), {
    args: [...command, ...defaults(args, options.listenDefault ?? false), ...args],
    cwd: REPO_ROOT,
    env: { LOG_FORMAT: "json", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const logs: string[] = [];
  const stdout = new Response(child.stdout).text();
  const lines = child.stderr.pipeThrough(new TextDecoderStream()).pipeThrough(splitLines());
  const reader = lines.getReader();
  let port: number | undefined;
  while (port === undefined) {
    const { value, done } = await reader.read();
    if (done) {
      const status = await child.status;
      throw new Error(
        `server exited (${status.code}) before listening:\n${logs.join("\n")}\n${await stdout}`,
      );
    }
    keep(logs, value);
    port = listeningPort(value);
  }
  const drained = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      keep(logs, value);
    }
  })();
  const listening = JSON.parse(logs.find((l) => l.includes('"msg":"listening"'))!);
  const httpPort = /:(\d+)$/.exec(listening.http ?? "")?.[1];
  return {
    port,
    httpPort: httpPort === undefined ? undefined : Number(httpPort),
    pid: child.pid,
    logs,
    async stop(signal: Deno.Signal = "SIGTERM") {
      try {
        child.kill(signal);
      } catch {
        // already exited
      }
      const status = await child.status;
      await drained;
      await stdout;
      // Files may have been rotated while it ran: what they hold now was served too.
      registerConfiguredSecrets(args, env);
      return { code: status.code, logs };
    },
  };
}

/**
 * Runs `main.ts` with arguments and waits for it to exit (for configuration errors, help).
 *
 * @param args arguments
 * @param env environment
 * @param permissions the permission flags (default: every one the tests need)
 * @returns exit code and output
 */
export async function runMain(
  args: string[],
  env: Record<string, string> = {},
  permissions: readonly string[] = PERMISSIONS,
): Promise<ExitedProcess> {
  registerConfiguredSecrets(args, env);
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...permissions, `${REPO_ROOT}main.ts`, ...args],
    env,
    clearEnv: true,
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  const result = {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
  // Only stderr is log output; stdout is the command's product (`manifests` prints the Secret).
  keep([], result.stderr);
  return result;
}

/**
 * Registers the tokens and keys a server is configured with (inline, in files, in a secrets
 * bundle or in the dev state folder) for the after-suite log check. Files that do not exist (yet,
 * or any more) are skipped.
 */
function registerConfiguredSecrets(args: string[], env: Record<string, string>): void {
  const setting = (flag: string, variable: string) =>
    args.find((a) => a.startsWith(`--${flag}=`))?.slice(flag.length + 3) ?? env[variable];
  const read = (path: string | undefined) => {
    try {
      return path === undefined ? undefined : Deno.readTextFileSync(path);
    } catch {
      return undefined;
    }
  };
  const source = "startServer() configuration";
  registerSecrets("token", [setting("token", "TALOS_TOKEN") ?? ""], source);
  registerTokenFile(read(setting("token-file", "TALOS_TOKEN_FILE")) ?? "", source);
  const dev = env.DEV_STATE_DIR;
  if (dev) registerTokenFile(read(`${dev}/token`) ?? "", source);
  const keys = [
    read(setting("ca-key", "CA_KEY_PATH")),
    read(setting("tls-key", "TLS_KEY_PATH")),
    read(dev && `${dev}/ca.key`),
  ];
  registerSecrets("key", keys.map((k) => k ?? ""), source);
  const bundle = read(setting("secrets", "TALOS_SECRETS_PATH"));
  if (bundle) {
    try {
      const { token, caKeyPem } = parseSecretsBundle(bundle);
      registerSecrets("token", [token], source);
      registerSecrets("key", [caKeyPem], source);
    } catch {
      // A test feeding a broken bundle on purpose.
    }
  }
}

/** Loopback, any free port, unless the test says otherwise. */
function defaults(args: string[], listenDefault: boolean): string[] {
  const given = (flag: string) => args.some((a) => a.startsWith(`--${flag}=`));
  return [
    ...(given("listen-address") || listenDefault ? [] : ["--listen-address=127.0.0.1"]),
    ...(given("port") ? [] : ["--port=0"]),
    ...(given("http-addr") ? [] : ["--http-addr=127.0.0.1:0"]),
  ];
}

function listeningPort(line: string): number | undefined {
  try {
    const record = JSON.parse(line);
    return record.msg === "listening" ? record.port : undefined;
  } catch {
    return undefined;
  }
}

function splitLines(): TransformStream<string, string> {
  let buffer = "";
  return new TransformStream({
    transform(chunk, controller) {
      buffer += chunk;
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      for (const part of parts) controller.enqueue(part);
    },
    flush(controller) {
      if (buffer) controller.enqueue(buffer);
    },
  });
}
