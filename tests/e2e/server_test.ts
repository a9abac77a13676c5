/**
 * The real server, started from the Talos fixture bundle, called over real TLS by grpc-js.
 */
import { status } from "@grpc/grpc-js";
import { connect } from "node:net";
import { parseSecretsBundle } from "../../src/config/secrets_bundle.ts";
import { x509 } from "../../src/pki/_x509.ts";
import { assert, assertEquals, assertMatch, assertNotMatch } from "../support/assert.ts";
import { readTalosSecrets, TALOS_SECRETS_PATH } from "../support/fixtures.ts";
import { callCertificate } from "../support/grpc_client.ts";
import { makeCa, makeCsr } from "../support/keys.ts";
import { writeCaFiles } from "../support/ca_files.ts";
import { FILE_TOKEN } from "../support/test_tokens.ts";
import { openssl, opensslText, opensslVerify } from "../support/openssl.ts";
import { ALL_LOGS, startServer } from "../support/server_process.ts";

const bundle = parseSecretsBundle(await readTalosSecrets());
const TOKEN = bundle.token;

/** An openssl TLS handshake with ALPN h2, trusting the Talos CA (or `caPem`). */
function tlsHandshake(
  port: number,
  version: string,
  extra: string[] = [],
  caPem = bundle.caCertificatePem,
) {
  const args = [
    "s_client",
    "-connect",
    `127.0.0.1:${port}`,
    "-alpn",
    "h2",
    version,
    "-CAfile",
    "{ca}",
  ];
  return openssl([...args, ...extra], { ca: caPem });
}

Deno.test("a server started from the Talos secrets bundle issues a certificate that verifies against its ca", async () => {
  const server = await startServer([`--secrets=${TALOS_SECRETS_PATH}`]);
  try {
    const csr = await makeCsr();
    const result = await callCertificate({
      port: server.port,
      caPem: bundle.caCertificatePem,
      token: TOKEN,
      csr: csr.pem,
    });
    assert(result.ok, JSON.stringify(result));
    assertEquals(result.ca, bundle.caCertificatePem);
    const verified = await opensslVerify(result.ca, result.crt);
    assertEquals(verified.code, 0, verified.stdout + verified.stderr);
    assertNotMatch(await opensslText(result.crt), /impersonator/);
  } finally {
    assertEquals((await server.stop()).code, 0);
  }
});

Deno.test("the server still answers when GRPC_DEFAULT_SSL_ROOTS_FILE_PATH points at the system bundle", async () => {
  const server = await startServer([`--secrets=${TALOS_SECRETS_PATH}`], {
    GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: "/etc/ssl/certs/ca-certificates.crt",
  });
  try {
    const result = await callCertificate({
      port: server.port,
      caPem: bundle.caCertificatePem,
      token: TOKEN,
      csr: (await makeCsr()).pem,
    });
    assert(result.ok, JSON.stringify(result));
  } finally {
    await server.stop();
  }
});

Deno.test("bad input gets a precise status, a log line, and the server keeps serving", async (t) => {
  const server = await startServer([`--secrets=${TALOS_SECRETS_PATH}`]);
  const good = (await makeCsr()).pem;
  const certificatePem = (await makeCa()).certificatePem;
  const tampered = (() => {
    const der = new Uint8Array(new x509.Pkcs10CertificateRequest(good).rawData);
    der[der.length - 3]! ^= 0x10;
    return new x509.Pkcs10CertificateRequest(der).toString("pem");
  })();
  const cases: {
    name: string;
    token?: string;
    csr: string | Uint8Array;
    code: status;
    details: RegExp;
  }[] = [
    { name: "missing token", csr: good, code: status.UNAUTHENTICATED, details: /^missing token$/ },
    {
      name: "wrong token",
      token: "aaaaaa.bbbbbbbbbbbbbbbb",
      csr: good,
      code: status.UNAUTHENTICATED,
      details: /^invalid token$/,
    },
    {
      name: "empty token",
      token: "",
      csr: good,
      code: status.UNAUTHENTICATED,
      details: /^invalid token$/,
    },
    {
      name: "token in upper case",
      token: TOKEN.toUpperCase(),
      csr: good,
      code: status.UNAUTHENTICATED,
      details: /^invalid token$/,
    },
    {
      name: "empty CSR",
      token: TOKEN,
      csr: "",
      code: status.INVALID_ARGUMENT,
      details: /^failed to decode CSR/,
    },
    {
      name: "garbage bytes",
      token: TOKEN,
      csr: crypto.getRandomValues(new Uint8Array(300)),
      code: status.INVALID_ARGUMENT,
      details: /^failed to decode CSR/,
    },
    {
      name: "truncated PEM",
      token: TOKEN,
      csr: good.slice(0, 200),
      code: status.INVALID_ARGUMENT,
      details: /^failed to decode CSR/,
    },
    {
      name: "PEM that is not a CSR",
      token: TOKEN,
      csr: certificatePem,
      code: status.INVALID_ARGUMENT,
      details: /^failed to parse CSR/,
    },
    {
      name: "bad signature",
      token: TOKEN,
      csr: tampered,
      code: status.INVALID_ARGUMENT,
      details: /^failed to verify CSR signature/,
    },
    {
      name: "1 MiB CSR",
      token: TOKEN,
      csr: "A".repeat(1024 * 1024),
      code: status.RESOURCE_EXHAUSTED,
      details: /larger than max/,
    },
  ];
  try {
    for (const c of cases) {
      await t.step(`${c.name} -> ${status[c.code]}`, async () => {
        const result = await callCertificate({
          port: server.port,
          caPem: bundle.caCertificatePem,
          token: c.token,
          csr: c.csr,
        });
        assert(!result.ok, "expected a failure");
        assertEquals(status[result.code], status[c.code]);
        assertMatch(result.details, c.details);
      });
    }
    await t.step("a message that is not a protobuf message -> INVALID_ARGUMENT", async () => {
      const result = await callCertificate({
        port: server.port,
        caPem: bundle.caCertificatePem,
        token: TOKEN,
        csr: new Uint8Array([0x0a, 0xff]), // field 1, length 255, no bytes follow
        rawMessage: true,
      });
      assert(!result.ok);
      assertEquals(status[result.code], "INVALID_ARGUMENT");
      assertMatch(result.details, /^failed to decode CertificateRequest: /);
    });
    await t.step("an unknown method -> UNIMPLEMENTED", async () => {
      const result = await callCertificate({
        port: server.port,
        caPem: bundle.caCertificatePem,
        token: TOKEN,
        csr: good,
        method: "/securityapi.SecurityService/ReadFile",
      });
      assert(!result.ok);
      assertEquals(status[result.code], "UNIMPLEMENTED");
    });
    await t.step("plaintext HTTP/2 on the TLS port is dropped", async () => {
      const closed = await new Promise<boolean>((resolve) => {
        const socket = connect(
          server.port,
          "127.0.0.1",
          () => socket.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
        );
        socket.on("data", () => {});
        socket.on("error", () => resolve(true));
        socket.on("close", () => resolve(true));
        setTimeout(() => resolve(false), 5000);
      });
      assert(closed, "the server kept a plaintext connection open");
    });
    await t.step("a valid call still succeeds afterwards", async () => {
      const result = await callCertificate({
        port: server.port,
        caPem: bundle.caCertificatePem,
        token: TOKEN,
        csr: good,
      });
      assert(result.ok, JSON.stringify(result));
    });
  } finally {
    const { code, logs } = await server.stop();
    assertEquals(code, 0);
    const requests = logs.map((l) => JSON.parse(l)).filter((r) => r.msg === "certificate request");
    // Every call has one line: the table, the unreadable message, the unknown method and the final
    // valid call; the oversized one and the unknown method are refused by the transport and logged
    // by it.
    const codes = requests.map((r) => r.code);
    for (
      const expected of [
        "UNAUTHENTICATED",
        "INVALID_ARGUMENT",
        "RESOURCE_EXHAUSTED",
        "UNIMPLEMENTED",
        "OK",
      ]
    ) {
      assert(codes.includes(expected), codes.join(","));
    }
    assertEquals(requests.length, cases.length + 3);
    assert(
      requests.some((r) => /^failed to decode CertificateRequest: /.test(r.error ?? "")),
      "the unreadable message is logged",
    );
    const unknown = requests.find((r) => r.code === "UNIMPLEMENTED");
    assertEquals([unknown.method, unknown.error], ["(unknown)", "unknown method"]);
    assertMatch(unknown.peer, /127\.0\.0\.1/);
    assertMatch(
      requests.find((r) => r.code === "RESOURCE_EXHAUSTED").error,
      /Received message larger than max/,
    );
    const ok = requests.find((r) => r.code === "OK");
    assertEquals(ok.cn, "worker-1");
    assertEquals(ok.dns, ["worker-1"]);
    assertEquals(ok.ips, ["10.5.0.2", "127.0.0.1", "::1"]);
    assertMatch(ok.peer, /127\.0\.0\.1/);
    assert(typeof ok.latency_ms === "number");
  }
});

Deno.test("SERVER_SANS names go into the self-issued serving certificate, which workers verify by name", async () => {
  const server = await startServer([
    `--secrets=${TALOS_SECRETS_PATH}`,
    "--server-sans=signer.example.com,10.9.8.7",
  ]);
  try {
    const ok = await callCertificate({
      port: server.port,
      caPem: bundle.caCertificatePem,
      token: TOKEN,
      csr: (await makeCsr()).pem,
      serverName: "signer.example.com",
    });
    assert(ok.ok, JSON.stringify(ok));
    const wrong = await callCertificate({
      port: server.port,
      caPem: bundle.caCertificatePem,
      token: TOKEN,
      csr: (await makeCsr()).pem,
      serverName: "other.example.com",
    });
    assert(!wrong.ok);
    assertEquals(status[wrong.code], "UNAVAILABLE");
    const listening = JSON.parse(server.logs.find((l) => l.includes('"listening"'))!);
    assertEquals(listening.serving_mode, "self-issued");
    assertEquals(listening.serving_dns, ["signer.example.com", "localhost"]);
    assertEquals(listening.serving_ips, ["10.9.8.7", "127.0.0.1", "::1"]);
  } finally {
    await server.stop();
  }
});

Deno.test("TLS 1.3 and 1.2 handshakes select ALPN h2 and verify against the Talos CA by IP", async () => {
  const server = await startServer([`--secrets=${TALOS_SECRETS_PATH}`]);
  const handshake = (version: string) =>
    tlsHandshake(server.port, version, ["-verify_ip", "127.0.0.1", "-verify_return_error"]);
  try {
    for (const [version, protocol] of [["-tls1_3", "TLSv1.3"], ["-tls1_2", "TLSv1.2"]]) {
      const result = await handshake(version!);
      assertEquals(result.code, 0, result.stderr);
      assertMatch(result.stdout, /ALPN protocol: h2/);
      assertMatch(
        result.stdout,
        new RegExp(`(New, |Protocol *: )${protocol!.replace(".", "\\.")}`),
      );
      assertMatch(result.stdout, /Verify return code: 0 \(ok\)/);
    }
  } finally {
    await server.stop();
  }
});

/**
 * An openssl client that really offers TLS 1.1: at its default security level OpenSSL 3 refuses
 * TLS 1.1's SHA-1 signatures, so only `@SECLEVEL=0` makes it a TLS 1.1 client at all.
 */
function tls11Handshake(port: number, caPem: string) {
  return openssl([
    "s_client",
    "-connect",
    `127.0.0.1:${port}`,
    "-tls1_1",
    "-cipher",
    "DEFAULT@SECLEVEL=0",
    "-CAfile",
    "{ca}",
  ], { ca: caPem });
}

/** `openssl s_server` on loopback allowing TLS 1.1, as the control that proves the client works. */
async function withTls11Server<T>(
  certificatePem: string,
  keyPem: string,
  run: (port: number) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "tls11-" });
  await Deno.writeTextFile(`${dir}/crt.pem`, certificatePem);
  await Deno.writeTextFile(`${dir}/key.pem`, keyPem);
  const child = new Deno.Command("openssl", {
    args: [
      "s_server",
      "-accept",
      "127.0.0.1:0",
      "-cert",
      `${dir}/crt.pem`,
      "-key",
      `${dir}/key.pem`,
    ]
      .concat(["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", "-naccept", "1"]),
    stdin: "piped", // s_server stops at end of input: keep it open
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let seen = "";
    let port: RegExpExecArray | null = null;
    while (!(port = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(seen))) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`openssl s_server exited before listening: ${seen}`);
      seen += value;
    }
    return await run(Number(port[1]));
  } finally {
    try {
      child.kill();
    } catch {
      // -naccept 1: it exits by itself after the one handshake
    }
    await reader.cancel();
    await child.stdin.close().catch(() => {});
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("TLS 1.1 is refused, by a client shown to negotiate TLS 1.1 with a server that allows it", async () => {
  // TLS 1.1 cannot sign with Ed25519, so an ECDSA CA (and serving key) leaves the version as the
  // only reason a handshake could fail.
  const ca = await makeCa({ type: "ECDSA-P256" });
  const control = await withTls11Server(
    ca.certificatePem,
    ca.keyPem,
    (port) => tls11Handshake(port, ca.certificatePem),
  );
  assertMatch(control.stdout, /Protocol *: TLSv1\.1/);
  assertMatch(control.stdout, /Cipher is ECDHE-ECDSA-/);
  assertMatch(control.stdout, /Verify return code: 0 \(ok\)/);

  const dir = await Deno.makeTempDir({ prefix: "tls11-signer-" });
  const server = await startServer(await writeCaFiles(dir, ca, `${FILE_TOKEN}\n`));
  try {
    const refused = await tls11Handshake(server.port, ca.certificatePem);
    assert(refused.code !== 0, `a TLS 1.1 handshake must fail:\n${refused.stdout}`);
    assertMatch(refused.stdout, /Cipher is \(NONE\)/);
    const modern = await tlsHandshake(server.port, "-tls1_2", [], ca.certificatePem);
    assertEquals(modern.code, 0, "the same server and client do TLS 1.2: " + modern.stderr);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TLS_MIN_VERSION=1.3 refuses TLS 1.2 handshakes and still serves TLS 1.3", async () => {
  const server = await startServer([`--secrets=${TALOS_SECRETS_PATH}`], { TLS_MIN_VERSION: "1.3" });
  const handshake = (version: string) => tlsHandshake(server.port, version);
  try {
    assert((await handshake("-tls1_2")).code !== 0, "a TLS 1.2 handshake must fail");
    assertEquals((await handshake("-tls1_3")).code, 0);
  } finally {
    await server.stop();
  }
});

Deno.test("no log line of any server in this file contains a token", () => {
  assert(ALL_LOGS.length > 0);
  for (const line of ALL_LOGS) {
    assert(!line.includes(TOKEN), `token found in: ${line}`);
    assert(!line.includes(TOKEN.slice(0, 6)), `token prefix found in: ${line}`);
  }
});
