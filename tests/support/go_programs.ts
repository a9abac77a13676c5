/**
 * Builds the Go programs used as independent peers (tests/interop/go, bench/go): stubs generated
 * with Debian's protoc and protoc-gen-go, compiled in GOPATH mode against Debian's grpc-go,
 * offline. Each program is built once per process.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

// Not from fixtures.ts: the bench builds Go programs too, and must not need the shared fixtures.
const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

const built = new Map<string, Promise<string>>();

/**
 * Returns the path of a built Go program, building it on first use.
 *
 * @param source the program's `.go` file, relative to the repository root
 * @returns the executable's path
 * @throws {Error} with the toolchain's output when generation or compilation fails
 */
export function goProgram(source: string): Promise<string> {
  let binary = built.get(source);
  if (!binary) {
    binary = build(source);
    built.set(source, binary);
  }
  return binary;
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

async function build(source: string): Promise<string> {
  // A client imports "<name>/security", where <name> is its file name without `_client.go`.
  const file = source.split("/").pop()!;
  const name = file.replace(/(_client)?\.go$/, "");
  const gopath = await Deno.makeTempDir({ prefix: `go-${name}-` });
  const pkg = `${gopath}/src/${name}`;
  await Deno.mkdir(`${pkg}/security`, { recursive: true });
  await run("protoc", [
    `-I${REPO_ROOT}proto`,
    "--plugin=protoc-gen-go=/usr/bin/protoc-gen-go",
    `--go_out=plugins=grpc,paths=source_relative:${pkg}/security`,
    `${REPO_ROOT}proto/security.proto`,
  ]);
  await Deno.copyFile(`${REPO_ROOT}${source}`, `${pkg}/main.go`);
  const binary = `${gopath}/${name}`;
  await run("go", ["build", "-o", binary, "."], {
    GO111MODULE: "off",
    GOPATH: `/usr/share/gocode:${gopath}`,
    GOPROXY: "off",
    GOFLAGS: "",
  }, pkg);
  return binary;
}
