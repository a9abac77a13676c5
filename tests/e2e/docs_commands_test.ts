/**
 * Every shell command in README.md, docs/install.md, docs/systemd.md, docs/troubleshooting.md,
 * docs/configuration.md, docs/kubeadm.md and docs/kamaji.md, as a user copies it: run here (with the fixture for `secrets.yaml`, a
 * worker config for `worker.yaml`, a loopback signer for the control-plane address, a scratch folder
 * for the working directory and for /etc), or, where it needs root, Docker or a cluster, its inputs
 * checked. A command no handler knows fails the test, so a new command in these pages needs one.
 */
import { parseAllDocuments } from "yaml";
import { BINARY_PERMISSIONS, BINARY_V8_FLAGS } from "../../scripts/compile.ts";
import denoJson from "../../deno.json" with { type: "json" };
import { parseSecretsBundle } from "../../src/config/secrets_bundle.ts";
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { readTalosSecrets, REPO_ROOT, TALOS_SECRETS_PATH } from "../support/fixtures.ts";
import { checkKubectlCommand } from "../support/kubectl_inputs.ts";
import { renderWorkerConfig } from "../support/machine_config.ts";
import { type ServerProcess, startServer } from "../support/server_process.ts";

const PAGES = [
  "README.md",
  "docs/install.md",
  "docs/systemd.md",
  "docs/troubleshooting.md",
  "docs/configuration.md",
  "docs/kubeadm.md",
  "docs/kamaji.md",
];

/** Runs a program in `cwd` and collects its output. */
async function exec(program: string, args: string[], cwd: string) {
  const output = await new Deno.Command(program, { args, cwd, stdin: "null" }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** The commands of a page's shell blocks: continuations joined, comments and `sudo` dropped. */
function commandsOf(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/^ *```(?:sh|bash|shell)\n([\s\S]*?)^ *```/gm)];
  return blocks.flatMap(([, body]) =>
    body!.replace(/\\\n\s*/g, "").split("\n")
      .map((l) => l.replace(/(^|\s)#.*$/, "").trim())
      .filter(Boolean)
      .flatMap((l) => l.split(/\s*&&\s*/))
      .map((l) => l.replace(/^sudo /, ""))
  );
}

/** Tasks the suite itself runs or checks elsewhere, and where. */
const TASKS_COVERED_ELSEWHERE: Record<string, string> = {
  test: "this suite is `deno task test`",
  check: "this suite runs inside `deno task check`",
  docs: "tests/unit/config/reference_test.ts",
  compile: "tests/e2e/build_test.ts",
  dev: "tests/e2e/binary_permissions_test.ts",
  mutants: "tests/unit/scripts/mutation_test.ts (the run itself is slow and outside CI)",
};

interface Workspace {
  /** The user's working directory. */
  cwd: string;
  /** Stands for `/etc`. */
  etc: string;
  /** The loopback signer standing for the control plane. */
  signer: ServerProcess;
  /** Images built with `docker build -t`. */
  images: Set<string>;
  /** Containers made with `docker create --name`. */
  containers: Set<string>;
}

async function talosCsrSigner(words: string[], ws: Workspace): Promise<void> {
  const args = words.map((w) =>
    w === "secrets.yaml" ? TALOS_SECRETS_PATH : w.replace(/^\/etc\//, `${ws.etc}/`)
  );
  const verb = args[0];
  if (verb === "request") {
    for (let i = 0; i < args.length; i++) {
      if (args[i] === "--endpoint") args[i + 1] = `127.0.0.1:${ws.signer.port}`;
    }
    if (args.includes("--machine-config")) args.push("--port", String(ws.signer.port));
  }
  const redirect = args.indexOf(">");
  const target = redirect >= 0 ? args.splice(redirect).at(1) : undefined;
  const result = await exec(
    Deno.execPath(),
    ["run", ...BINARY_PERMISSIONS, BINARY_V8_FLAGS, `${REPO_ROOT}main.ts`, ...args],
    ws.cwd,
  );
  assertEquals(
    result.code,
    0,
    `talos-csr-signer ${words.join(" ")}\n${result.stdout}${result.stderr}`,
  );
  if (target) {
    await Deno.writeTextFile(`${ws.cwd}/${target}`, result.stdout);
    assert(parseAllDocuments(result.stdout).every((d) => d.errors.length === 0), target);
  }
  if (verb === "request") assertMatch(result.stdout, /^PASS: /m);
}

async function repoFile(path: string): Promise<void> {
  const { compileArgs } = await import("../../scripts/compile.ts");
  if (path.startsWith("dist/")) {
    assert(compileArgs(path).includes(path) && path === "dist/talos-csr-signer", path);
    return;
  }
  await Deno.stat(`${REPO_ROOT}${path}`);
}

async function run(command: string, ws: Workspace): Promise<void> {
  const words = command.split(/\s+/);
  const [program, ...rest] = words;
  switch (program) {
    case "talos-csr-signer":
      return await talosCsrSigner(rest, ws);
    case "deno": {
      if (rest[0] === "install") return await repoFile("deno.lock");
      assertEquals(rest[0], "task", command);
      const task = rest[1]!;
      assert(task in denoJson.tasks, `deno task ${task} exists`);
      if (task !== "start") {
        assert(TASKS_COVERED_ELSEWHERE[task], `no test covers deno task ${task}`);
        return;
      }
      const args = rest.slice(2).map((w) => w === "secrets.yaml" ? TALOS_SECRETS_PATH : w);
      const server = await startServer(args, {}, "serve", ["task", "start"]);
      assertEquals((await server.stop()).code, 0);
      return;
    }
    case "openssl": {
      const result = await exec("openssl", rest, ws.cwd);
      assertEquals(result.code, 0, `${command}: ${result.stderr}`);
      return;
    }
    case "install": {
      // install [-D] -m MODE [-t DIR] SOURCE... [DEST]: the sources are the repository's files.
      const operands = rest.filter((w, i) =>
        !w.startsWith("-") && !["-m", "-t"].includes(rest[i - 1]!)
      );
      const sources = rest.includes("-t") ? operands : operands.slice(0, -1);
      for (const source of sources) await repoFile(source);
      return;
    }
    case "systemctl": {
      const unit = rest.at(-1)!;
      if (unit !== "daemon-reload") await repoFile(`deploy/systemd/${unit}.service`);
      return;
    }
    case "docker":
      return await docker(rest, ws);
    case "kubectl":
      return await checkKubectlCommand(rest, ws.cwd);
    default:
      throw new Error(`no test covers: ${command}`);
  }
}

async function docker(words: string[], ws: Workspace): Promise<void> {
  const dockerfile = await Deno.readTextFile(`${REPO_ROOT}Dockerfile`);
  const [action, ...args] = words;
  const option = (name: string) => args[args.indexOf(name) + 1]!;
  switch (action) {
    case "build":
      assertEquals(args.at(-1), ".", "builds the repository's Dockerfile");
      for (const [, arg] of args.join(" ").matchAll(/--build-arg (\w+)=/g)) {
        assertMatch(dockerfile, new RegExp(`^ARG ${arg}\\b`, "m"));
      }
      ws.images.add(option("-t"));
      return;
    case "push":
      assert(ws.images.has(args[0]!), `${args[0]} was built above`);
      return;
    case "create":
      assert(ws.images.has(args.at(-1)!), `${args.at(-1)} was built above`);
      ws.containers.add(option("--name"));
      return;
    case "cp": {
      const [container, path] = args[0]!.split(":");
      assert(ws.containers.has(container!), `${container} was created above`);
      assertMatch(dockerfile, new RegExp(`^COPY --from=build \\S+ ${path}$`, "m"));
      return;
    }
    case "rm":
      assert(ws.containers.has(args[0]!), `${args[0]} was created above`);
      return;
    default:
      throw new Error(`no test covers: docker ${words.join(" ")}`);
  }
}

Deno.test("every shell command in README, the install, systemd, troubleshooting and configuration pages and the kubeadm and Kamaji guides works as written", async (t) => {
  const bundle = parseSecretsBundle(await readTalosSecrets());
  const signer = await startServer([`--secrets=${TALOS_SECRETS_PATH}`]);
  try {
    for (const page of PAGES) {
      const commands = commandsOf(await Deno.readTextFile(`${REPO_ROOT}${page}`));
      if (commands.length === 0) continue;
      await t.step(page, async () => {
        const cwd = await Deno.makeTempDir({ prefix: "docs-commands-" });
        const ws: Workspace = {
          cwd,
          etc: `${cwd}/etc`,
          signer,
          images: new Set(),
          containers: new Set(),
        };
        await Deno.writeTextFile(
          `${cwd}/worker.yaml`,
          await renderWorkerConfig({
            token: bundle.token,
            caPem: bundle.caCertificatePem,
            endpoint: "https://127.0.0.1:6443",
          }),
        );
        try {
          for (const command of commands) await run(command, ws);
        } finally {
          await Deno.remove(cwd, { recursive: true });
        }
      });
    }
  } finally {
    await signer.stop();
  }
});

Deno.test("the command extraction finds the commands (the test above cannot pass by reading none)", async () => {
  const readme = commandsOf(await Deno.readTextFile(`${REPO_ROOT}README.md`));
  assert(readme.some((c) => c.startsWith("talos-csr-signer request --machine-config worker.yaml")));
  assert(readme.includes("deno task dev"));
  const systemd = commandsOf(await Deno.readTextFile(`${REPO_ROOT}docs/systemd.md`));
  assert(systemd.includes("systemctl enable --now talos-csr-signer"), systemd.join("\n"));
});
