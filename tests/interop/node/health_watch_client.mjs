// grpc.health.v1.Health/Watch with @grpc/grpc-js on Node.js: prints one JSON line per status the
// server sends ({"status": "..."}), then {"end": CODE} when the stream ends.
// Usage: node health_watch_client.mjs PORT CA_FILE [SERVICE]
import grpc from "@grpc/grpc-js";
import loader from "@grpc/proto-loader";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const [port, caFile, service = ""] = process.argv.slice(2);
const protoPath = fileURLToPath(new URL("../../../proto/health.proto", import.meta.url));
const definition = loader.loadSync(protoPath, { keepCase: true, defaults: true, enums: String });
const Health = grpc.loadPackageDefinition(definition).grpc.health.v1.Health;
const credentials = grpc.credentials.createSsl(readFileSync(caFile));
const client = new Health(`127.0.0.1:${port}`, credentials);
const call = client.Watch({ service });
call.on(
  "data",
  (response) => process.stdout.write(JSON.stringify({ status: response.status }) + "\n"),
);
call.on("error", (error) => {
  process.stdout.write(JSON.stringify({ end: error.code }) + "\n");
  client.close();
});
call.on("end", () => {
  process.stdout.write(JSON.stringify({ end: 0 }) + "\n");
  client.close();
});
