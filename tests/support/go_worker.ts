/**
 * Builds the Go worker client (tests/interop/go) once per test process: stubs generated with
 * Debian's protoc and protoc-gen-go, compiled in GOPATH mode against Debian's grpc-go, offline.
 *
 * @module
 */
import { REPO_ROOT } from "./fixtures.ts";

let built: Promise<string> | undefined;

/**
 * Returns the path of the built Go worker client, building it on first use.
 *
 * @returns the executable's path
 * @throws {Error} with the toolchain's output when generation or compilation fails
 */
export function goWorkerClient(): Promise<string> {
  built ??= build();
  return built;
}

async function run(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  cwd?: string,
): Promise<void> {
  const output = await new Deno.Command(command, { args, env, cwd, stdin: "null" }).output();
  if (output.code !== 0) {
    const decoder = new TextDecoder();
    throw new Error(
      `${command} ${args.join(" ")} failed:\n${decoder.decode(output.stdout)}${
        decoder.decode(output.stderr)
      }`,
    );
  }
}

async function build(): Promise<string> {
  const gopath = await Deno.makeTempDir({ prefix: "go-worker-" });
  const pkg = `${gopath}/src/worker`;
  await Deno.mkdir(`${pkg}/security`, { recursive: true });
  await run("protoc", [
    `-I${REPO_ROOT}proto`,
    "--plugin=protoc-gen-go=/usr/bin/protoc-gen-go",
    `--go_out=plugins=grpc,paths=source_relative:${pkg}/security`,
    `${REPO_ROOT}proto/security.proto`,
  ]);
  await Deno.copyFile(`${REPO_ROOT}tests/interop/go/worker_client.go`, `${pkg}/main.go`);
  const binary = `${gopath}/worker_client`;
  await run("go", ["build", "-o", binary, "."], {
    GO111MODULE: "off",
    GOPATH: `/usr/share/gocode:${gopath}`,
    GOPROXY: "off",
    GOFLAGS: "",
  }, pkg);
  return binary;
}
