/**
 * No secret of a damaged secrets bundle reaches anything a process prints or serves: `serve`'s
 * stderr, the log of a refused reload, `GET /readyz` (unauthenticated), `/metrics`, and the
 * stderr of `manifests --secrets` and `request --ca`. Every line of the bundle is damaged
 * in-process in tests/unit/config/secrets_bundle_test.ts; here a few damages run through the real
 * process.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { readTalosSecrets } from "../support/fixtures.ts";
import { findSecretFragment, secretFragmentsOf } from "../support/secret_fragments.ts";
import { runMain, startServer } from "../support/server_process.ts";

const ORIGINAL = await readTalosSecrets();
const SECRETS = secretFragmentsOf(ORIGINAL);

/** Damages that used to print a secret: each with the line the message must name. */
const DAMAGED: { name: string; text: string; names: string }[] = [
  {
    name: "a tab before token:",
    text: ORIGINAL.replace("\n    token: ", "\n\t    token: "),
    names: "line 8, column 1 (near trustdinfo.token)",
  },
  {
    name: "a tag before the CA key",
    text: ORIGINAL.replace(/(\n {8}key: )(LS0tLS1CRUdJTiBFRDI1NTE5)/, "$1!$2"),
    names: "line 23, column 14 (near certs.os.key)",
  },
  {
    name: "an unclosed quote before the bootstrap token",
    text: ORIGINAL.replace("bootstraptoken: ", 'bootstraptoken: "'),
    names: "(YAML MISSING_CHAR)",
  },
  {
    name: "a colon inside the machine token",
    text: ORIGINAL.replace(/(\n {4}token: \w+\.)/, "$1: "),
    names: "line 8, column ",
  },
  {
    name: "a changed character in the CA key",
    text: ORIGINAL.replace(/(\n {8}key: LS0tLS1CRUdJTiBFRDI1NTE5\S{60})\S/, "$1*"),
    names: "certs.os.key (line 23, column 14)",
  },
];

function assertNoSecret(where: string, text: string): void {
  const leak = findSecretFragment(SECRETS, text);
  assertEquals(leak, undefined, `${where} carries ${leak}`);
}

async function privateCopy(dir: string, text: string, name = "secrets.yaml"): Promise<string> {
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, text, { mode: 0o600 });
  await Deno.chmod(path, 0o600);
  return path;
}

Deno.test("serve refuses a damaged secrets bundle naming setting, file, line and column, and prints no secret", async () => {
  const dir = await Deno.makeTempDir({ prefix: "secret-errors-" });
  try {
    for (const damaged of DAMAGED) {
      const path = await privateCopy(dir, damaged.text);
      const result = await runMain(["serve", "--port=0", "--listen-address=127.0.0.1"], {
        TALOS_SECRETS_PATH: path,
        LOG_FORMAT: "json",
      });
      assertEquals(result.code, 2, `${damaged.name}: ${result.stderr}`);
      assertNoSecret(`serve stderr (${damaged.name})`, result.stderr + result.stdout);
      assert(
        result.stderr.includes(`configuration error: TALOS_SECRETS_PATH: ${path}: `) &&
          result.stderr.includes(damaged.names),
        `${damaged.name}: ${result.stderr}`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a refused reload of a damaged bundle logs, serves in /readyz and /metrics no secret", async () => {
  const dir = await Deno.makeTempDir({ prefix: "secret-reload-" });
  const path = await privateCopy(dir, ORIGINAL);
  const server = await startServer([`--secrets=${path}`, "--reload-interval=1s"]);
  const get = async (route: string) => {
    const response = await fetch(`http://127.0.0.1:${server.httpPort}${route}`);
    return await response.text();
  };
  let served = "";
  try {
    for (const damaged of DAMAGED) {
      await Deno.writeTextFile(path, damaged.text);
      let readyz = "";
      for (let i = 0; i < 600 && !readyz.includes(damaged.names); i++) {
        await new Promise((r) => setTimeout(r, 100));
        readyz = await get("/readyz");
      }
      assert(readyz.includes(damaged.names), `${damaged.name}: /readyz says ${readyz}`);
      assert(readyz.includes(`last reload refused: TALOS_SECRETS_PATH: ${path}: `), readyz);
      served += readyz + (await get("/metrics"));
    }
  } finally {
    const { code, logs } = await server.stop();
    await Deno.remove(dir, { recursive: true });
    assertEquals(code, 0);
    const refusals = logs.filter((l) => l.includes("reload refused"));
    assert(refusals.length >= DAMAGED.length, `refused reloads logged: ${refusals.length}`);
    assertNoSecret("the server's log", logs.join("\n"));
  }
  assertNoSecret("/readyz and /metrics", served);
});

Deno.test("manifests --secrets and request --ca name the file, line and column of a damaged bundle and print no secret", async () => {
  const dir = await Deno.makeTempDir({ prefix: "secret-cli-" });
  try {
    for (const damaged of DAMAGED.slice(0, 3)) {
      const path = await privateCopy(dir, damaged.text);
      const manifests = await runMain([
        "manifests",
        `--secrets=${path}`,
        "--endpoint=127.0.0.1",
      ]);
      assertEquals(manifests.code, 2, manifests.stderr);
      assertNoSecret(`manifests stderr (${damaged.name})`, manifests.stderr);
      assert(
        // manifests reports the bundle in the same line as serve does (TALOS_SECRETS_PATH).
        manifests.stderr.includes(
          `TALOS_SECRETS_PATH: ${path}: Cannot read secrets bundle: line `,
        ) &&
          manifests.stderr.includes(damaged.names),
        manifests.stderr,
      );
      const request = await runMain(["request", "--endpoint=127.0.0.1:1", `--ca=${path}`]);
      assert(request.code !== 0, request.stdout);
      assertNoSecret(`request stderr (${damaged.name})`, request.stderr + request.stdout);
      assert(
        request.stderr.includes(`--ca ${path}: line `) && request.stderr.includes(damaged.names),
        request.stderr,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
