/**
 * The command line as an operator meets it: help, configuration errors, files mode, dev mode.
 */
import { FILE_TOKEN } from "../support/test_tokens.ts";
import { parseSecretsBundle } from "../../src/config/secrets_bundle.ts";
import { SETTINGS } from "../../src/config/settings.ts";
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { readTalosSecrets } from "../support/fixtures.ts";
import { callCertificate } from "../support/grpc_client.ts";
import { makeCa, makeCsr } from "../support/keys.ts";
import { opensslServingCertificate } from "../support/openssl.ts";
import { runMain, startServer } from "../support/server_process.ts";

const bundle = parseSecretsBundle(await readTalosSecrets());

Deno.test("--help lists every setting with its flag, environment variable and default", async () => {
  const result = await runMain(["--help"]);
  assertEquals(result.code, 0);
  for (const s of SETTINGS) {
    assertMatch(
      result.stdout,
      new RegExp(
        `--${s.flag} / ${s.env}  \\(default: ${
          s.default === "" ? "unset" : s.default.replaceAll(".", "\\.")
        }\\)`,
      ),
    );
  }
});

Deno.test("invalid configuration exits 2 before listening, one line per problem naming the setting and file", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "config-" });
  const ca = await makeCa();
  const other = await makeCa();
  const leaf = await makeCa({ isCa: false, subject: "CN=leaf" });
  await Deno.writeTextFile(`${dir}/ca.crt`, ca.certificatePem);
  await Deno.writeTextFile(`${dir}/other.key`, other.keyPem, { mode: 0o600 });
  await Deno.writeTextFile(`${dir}/leaf.crt`, leaf.certificatePem);
  await Deno.writeTextFile(`${dir}/leaf.key`, leaf.keyPem, { mode: 0o600 });
  await Deno.writeTextFile(`${dir}/token`, `${FILE_TOKEN}\n`, { mode: 0o600 });
  const cases = [
    {
      name: "missing CA files",
      args: [`--token-file=${dir}/token`, `--ca-cert=${dir}/nope.crt`, `--ca-key=${dir}/nope.key`],
      lines: [
        `CA_CERT_PATH: ${dir}/nope.crt: file not found`,
        `CA_KEY_PATH: ${dir}/nope.key: file not found`,
      ],
    },
    {
      name: "key of another CA",
      args: [`--token-file=${dir}/token`, `--ca-cert=${dir}/ca.crt`, `--ca-key=${dir}/other.key`],
      lines: [
        `CA_KEY_PATH: ${dir}/other.key: Cannot load CA key: it does not match the CA certificate`,
      ],
    },
    {
      name: "certificate that is not a CA",
      args: [`--token-file=${dir}/token`, `--ca-cert=${dir}/leaf.crt`, `--ca-key=${dir}/leaf.key`],
      lines: [
        `CA_CERT_PATH: ${dir}/leaf.crt: Cannot load CA certificate: CN=leaf is not a CA (BasicConstraints CA:TRUE missing)`,
      ],
    },
    {
      name: "missing secrets bundle",
      args: [`--secrets=${dir}/secrets.yaml`],
      lines: [`TALOS_SECRETS_PATH: ${dir}/secrets.yaml: file not found`],
    },
    {
      name: "lifetime too short",
      args: [`--token-file=${dir}/token`, "--cert-lifetime=6h"],
      lines: ["CERT_LIFETIME: 6h must be longer than 12h, because Talos workers renew every 12h"],
    },
  ];
  try {
    for (const c of cases) {
      await t.step(c.name, async () => {
        const result = await runMain(["serve", "--port=0", ...c.args]);
        assertEquals(result.code, 2);
        assertEquals(
          result.stderr.trim().split("\n"),
          c.lines.map((l) => `configuration error: ${l}`),
        );
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TLS_CERT_PATH/TLS_KEY_PATH: an openssl-made serving certificate is used as given", async () => {
  const dir = await Deno.makeTempDir({ prefix: "files-" });
  try {
    // openssl does not know Talos's ED25519 PRIVATE KEY label; the bytes are ordinary PKCS#8.
    const opensslKey = bundle.caKeyPem.replaceAll("ED25519 PRIVATE KEY", "PRIVATE KEY");
    const serving = await opensslServingCertificate(bundle.caCertificatePem, opensslKey, "signer");
    await Deno.writeTextFile(`${dir}/tls.crt`, serving.certificatePem);
    await Deno.writeTextFile(`${dir}/tls.key`, serving.keyPem, { mode: 0o600 });
    const server = await startServer([
      `--secrets=${(await import("../support/fixtures.ts")).TALOS_SECRETS_PATH}`,
      `--tls-cert=${dir}/tls.crt`,
      `--tls-key=${dir}/tls.key`,
    ]);
    try {
      const listening = JSON.parse(server.logs.find((l) => l.includes('"listening"'))!);
      assertEquals(listening.serving_mode, "files");
      const result = await callCertificate({
        port: server.port,
        caPem: bundle.caCertificatePem,
        token: bundle.token,
        csr: (await makeCsr()).pem,
      });
      assert(result.ok, JSON.stringify(result));
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("dev creates a labelled throwaway CA and token once, serves with them, and prints how to call it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dev-" });
  try {
    const first = await startServer(["--log-format=json"], { DEV_STATE_DIR: dir }, "dev");
    const stopped = await first.stop();
    assertEquals(stopped.code, 0);
    const banner = stopped.logs.join("\n");
    assertMatch(banner, /DEVELOPMENT MODE: throwaway CA and token/);
    assertMatch(banner, /grpcurl -cacert .*ca\.crt -proto proto\/security\.proto/);
    assertMatch(
      banner,
      /deno task request --endpoint 127\.0\.0\.1:PORT --ca .*ca\.crt --token-file .*token/,
    );
    const caPem = await Deno.readTextFile(`${dir}/ca.crt`);
    const token = (await Deno.readTextFile(`${dir}/token`)).trim();
    assertEquals((await Deno.stat(`${dir}/ca.key`)).mode! & 0o077, 0);
    assert(!banner.includes(token), "the banner must not print the token");

    const second = await startServer(["--log-format=json"], { DEV_STATE_DIR: dir }, "dev");
    try {
      assertEquals(
        await Deno.readTextFile(`${dir}/ca.crt`),
        caPem,
        "the CA is reused, not regenerated",
      );
      const result = await callCertificate({
        port: second.port,
        caPem,
        token,
        csr: (await makeCsr()).pem,
      });
      assert(result.ok, JSON.stringify(result));
      // The command the banner prints, on this test's port.
      const check = await runMain([
        "request",
        `--endpoint=127.0.0.1:${second.port}`,
        `--ca=${dir}/ca.crt`,
        `--token-file=${dir}/token`,
      ]);
      assertEquals(check.code, 0, check.stdout);
    } finally {
      await second.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
