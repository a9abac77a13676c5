/**
 * The guides lead a new user from a clone to a running signer: they say how to get the executable
 * and the image before the first `kubectl apply`, and what the systemd unit points at exists.
 */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { REPO_ROOT, TALOS_SECRETS_PATH } from "../support/fixtures.ts";
import { runMain } from "../support/server_process.ts";

const GUIDES = ["README.md", "docs/kubeadm.md", "docs/kamaji.md", "docs/systemd.md"];

Deno.test("every guide says how to get the image or executable before its first kubectl apply or systemctl", async () => {
  for (const guide of GUIDES) {
    const text = await Deno.readTextFile(`${REPO_ROOT}${guide}`);
    const first = text.search(/kubectl apply|kubectl patch|systemctl (enable|start)/);
    if (first < 0) continue;
    const before = text.slice(0, first);
    assert(/install\.md|deno task compile/.test(before), `${guide}: no build step before ${first}`);
  }
  const install = await Deno.readTextFile(`${REPO_ROOT}docs/install.md`);
  for (const step of ["deno task compile", "docker build", "docker push", "--image"]) {
    assert(install.includes(step), `docs/install.md: ${step}`);
  }
});

Deno.test("docs/install.md's inputs: the build argument, the compile output and --image exist", async () => {
  const install = await Deno.readTextFile(`${REPO_ROOT}docs/install.md`);
  const dockerfile = await Deno.readTextFile(`${REPO_ROOT}Dockerfile`);
  for (const [, arg] of install.matchAll(/--build-arg (\w+)=/g)) {
    assertMatch(dockerfile, new RegExp(`^ARG ${arg}\\b`, "m"));
  }
  const compile = await Deno.readTextFile(`${REPO_ROOT}scripts/compile.ts`);
  assertMatch(install, /install -m 0755 dist\/talos-csr-signer /);
  assert(compile.includes('default: "dist/talos-csr-signer"'));
  assertMatch(
    dockerfile,
    /COPY --from=build \/out\/talos-csr-signer \/usr\/local\/bin\/talos-csr-signer/,
  );
  assertMatch(install, /docker cp [\w-]+:\/usr\/local\/bin\/talos-csr-signer /);
  const image = /--image (\S+)/.exec(install)![1]!;
  const result = await runMain([
    "manifests",
    "--secrets",
    TALOS_SECRETS_PATH,
    "--endpoint",
    "10.0.0.10",
    "--image",
    image,
  ]);
  assertEquals(result.code, 0, result.stderr);
  assertMatch(result.stdout, new RegExp(`image: ${image.replaceAll(".", "\\.")}\\n`));
});

Deno.test("the systemd unit's Documentation= files are installed by docs/systemd.md from files in the repository", async () => {
  const unit = await Deno.readTextFile(`${REPO_ROOT}deploy/systemd/talos-csr-signer.service`);
  const guide = await Deno.readTextFile(`${REPO_ROOT}docs/systemd.md`);
  const urls = /^Documentation=(.+)$/m.exec(unit)![1]!.split(/\s+/);
  assert(urls.length > 0);
  const installs = [...guide.matchAll(/install -D -m 0644 -t (\S+) (.+)$/gm)];
  for (const url of urls) {
    const path = url.replace(/^file:\/\//, "");
    const line = installs.find(([, dir, files]) =>
      files!.split(/\s+/).some((f) => `${dir}/${f.split("/").at(-1)}` === path)
    );
    assert(line, `${url}: no install line in docs/systemd.md puts it there`);
    const source = line[2]!.split(/\s+/).find((f) => path.endsWith(`/${f.split("/").at(-1)}`))!;
    await Deno.stat(`${REPO_ROOT}${source}`);
  }
});
