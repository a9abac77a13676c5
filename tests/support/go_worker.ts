/**
 * The Go peers of the tests: the worker-like client (one call, every check a worker skips) and a
 * batch client for many calls.
 *
 * @module
 */
import { goProgram } from "./go_programs.ts";
import { runWithInput } from "./process.ts";

/** What the Go worker client printed and how it exited. */
export interface GoCallResult {
  /** Exit code: 0 when it printed a report without a failed check. */
  code: number;
  /** Its JSON report. */
  // deno-lint-ignore no-explicit-any
  report: any;
  /** Its stderr. */
  stderr: string;
}

/**
 * Makes one worker-style call with the Go client.
 *
 * @param port server port
 * @param caPem the CA bundle the client trusts
 * @param token the token to present
 * @param key the worker key type: ed25519, ecdsa or rsa
 * @param source the local address to connect from
 * @param host the server address dialled, which the client also verifies the certificate for
 * @returns exit code, report and stderr
 */
export async function goCall(
  port: number,
  caPem: string,
  token: string,
  key = "ed25519",
  source = "",
  host = "127.0.0.1",
): Promise<GoCallResult> {
  const dir = await Deno.makeTempDir({ prefix: "go-call-" });
  try {
    await Deno.writeTextFile(`${dir}/ca.crt`, caPem);
    const output = await new Deno.Command(await goProgram("tests/interop/go/worker_client.go"), {
      args: [
        `-target=${host.includes(":") ? `[${host}]` : host}:${port}`,
        `-ca=${dir}/ca.crt`,
        `-token=${token}`,
        `-key=${key}`,
        `-source=${source}`,
      ],
      stdin: "null",
    }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    return {
      code: output.code,
      report: stdout ? JSON.parse(stdout) : undefined,
      stderr: new TextDecoder().decode(output.stderr),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** One call for {@linkcode goBatch}. */
export interface GoBatchCall {
  /** Token metadata; omitted when undefined. */
  token?: string;
  /** CSR bytes to send. */
  csr: Uint8Array;
}

/** One answer from {@linkcode goBatch}: a canonical gRPC code name ("OK", "INVALID_ARGUMENT"…). */
export interface GoBatchResult {
  /** The status code name. */
  code: string;
  /** The status message. */
  details?: string;
  /** The issued certificate, on OK. */
  crt?: string;
}

/**
 * Sends many calls with grpc-go, each on a fresh connection.
 *
 * @param port server port on 127.0.0.1
 * @param caPem the CA bundle the client trusts
 * @param calls the calls
 * @param concurrency calls in parallel
 * @returns the answers, in call order
 */
export async function goBatch(
  port: number,
  caPem: string,
  calls: GoBatchCall[],
  concurrency = 8,
): Promise<GoBatchResult[]> {
  const input = JSON.stringify({
    target: `127.0.0.1:${port}`,
    caPem,
    concurrency,
    calls: calls.map((c) => ({ token: c.token, csrBase64: c.csr.toBase64() })),
  });
  const output = await runWithInput(await goProgram("tests/interop/go/batch_client.go"), [], input);
  if (output.code !== 0) throw new Error(`batch_client failed: ${output.stderr}`);
  return JSON.parse(output.stdout);
}
