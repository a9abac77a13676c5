// A batch of Certificate calls made with @grpc/grpc-js on Node.js, as the tests' gRPC client.
//
// Node's HTTP/2 stack is used rather than Deno's, so the server is exercised by a client
// implementation other than its own runtime's. Reads one JSON object on stdin:
//   { port, caPem, calls: [{ token?, csrBase64, rawMessage?, method?, serverName? }], shared?,
//     concurrency? }
// and prints a JSON array of { ok, ca, crt } or { ok: false, code, details }, in call order.
// Every call uses a fresh channel (a new TLS connection), as Talos workers do, unless `shared`.
import grpc from "@grpc/grpc-js";
import loader from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";

const protoPath = fileURLToPath(new URL("../../../proto/security.proto", import.meta.url));
const definition = loader.loadSync(protoPath, { keepCase: true, defaults: true });
const SecurityService = grpc.loadPackageDefinition(definition).securityapi.SecurityService;

const input = JSON.parse(await new Response(process.stdin).text());
const credentials = grpc.credentials.createSsl(Buffer.from(input.caPem));

function open(serverName) {
  const options = serverName ? { "grpc.ssl_target_name_override": serverName } : {};
  return new SecurityService(`127.0.0.1:${input.port}`, credentials, options);
}

const shared = input.shared ? open() : undefined;

function varint(n) {
  const bytes = [];
  for (; n >= 0x80; n >>>= 7) bytes.push((n & 0x7f) | 0x80);
  return [...bytes, n];
}

function call(spec) {
  const client = shared ?? open(spec.serverName);
  const metadata = new grpc.Metadata();
  if (spec.token !== undefined) metadata.set("token", spec.token);
  const request = { csr: Buffer.from(spec.csrBase64, "base64") };
  const options = { deadline: Date.now() + 10_000 };
  return new Promise((resolve) => {
    const done = (error, response) => {
      if (!shared) client.close();
      if (error) resolve({ ok: false, code: error.code, details: error.details });
      else resolve({ ok: true, ca: response.ca.toString(), crt: response.crt.toString() });
    };
    if (spec.method || spec.rawMessage) {
      const serialize = spec.rawMessage
        ? (value) => value.csr
        : (value) => Buffer.concat([Buffer.from([0x0a, ...varint(value.csr.length)]), value.csr]);
      client.makeUnaryRequest(
        spec.method ?? "/securityapi.SecurityService/Certificate",
        serialize,
        (b) => ({ ca: b, crt: b }),
        request,
        metadata,
        options,
        done,
      );
    } else {
      client.Certificate(request, metadata, options, done);
    }
  });
}

const results = new Array(input.calls.length);
let next = 0;
await Promise.all(
  Array.from({ length: input.concurrency ?? 1 }, async () => {
    while (next < input.calls.length) {
      const index = next++;
      results[index] = await call(input.calls[index]);
    }
  }),
);
shared?.close();
process.stdout.write(JSON.stringify(results));
