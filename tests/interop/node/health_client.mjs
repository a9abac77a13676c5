// grpc.health.v1.Health/Check with @grpc/grpc-js on Node.js.
// Usage: node health_client.mjs PORT CA_FILE [SERVICE] [--no-verify]; prints {"status": "..."} or
// {"code": N}. --no-verify skips certificate checks, as a load balancer's health probe may.
import grpc from "@grpc/grpc-js";
import loader from "@grpc/proto-loader";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const [port, caFile, service = "", verify] = process.argv.slice(2);
const protoPath = fileURLToPath(new URL("../../../proto/health.proto", import.meta.url));
const definition = loader.loadSync(protoPath, { keepCase: true, defaults: true, enums: String });
const Health = grpc.loadPackageDefinition(definition).grpc.health.v1.Health;
const verifyOptions = verify === "--no-verify" ? { rejectUnauthorized: false } : {};
const credentials = grpc.credentials.createSsl(readFileSync(caFile), null, null, verifyOptions);
const client = new Health(`127.0.0.1:${port}`, credentials);
client.Check({ service }, { deadline: Date.now() + 5000 }, (error, response) => {
  process.stdout.write(JSON.stringify(error ? { code: error.code } : { status: response.status }));
  client.close();
});
