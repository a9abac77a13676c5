/**
 * The standard `grpc.health.v1.Health` service on the signer's port, so load balancers and
 * Kubernetes gRPC probes see the same readiness as /readyz.
 *
 * @module
 */
import {
  loadPackageDefinition,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  status,
} from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";

/** Services this health endpoint answers for: the server as a whole ("") and the signer. */
export const HEALTH_SERVICES = ["", "securityapi.SecurityService"];

/** Where the health service reads status and hears about changes. */
export interface HealthSource {
  /** True when ready to sign. */
  isServing(): boolean;
  /** Calls `listener` whenever readiness may have changed; returns a function that unsubscribes. */
  subscribe(listener: () => void): () => void;
}

type HealthRequest = { service: string };
type HealthResponse = { status: "SERVING" | "NOT_SERVING" | "SERVICE_UNKNOWN" };

const PROTO_PATH = fileURLToPath(new URL("../../proto/health.proto", import.meta.url));

/**
 * The health service definition and its implementation.
 *
 * @param source readiness and its changes
 * @returns what `Server.addService` takes
 */
export function healthService(source: HealthSource): {
  definition: ServiceDefinition;
  implementation: Record<string, unknown>;
} {
  const definition = loadSync(PROTO_PATH, { keepCase: true, defaults: true, enums: String });
  const root = loadPackageDefinition(definition) as unknown as {
    grpc: { health: { v1: { Health: { service: ServiceDefinition } } } };
  };
  const current = (): HealthResponse["status"] => (source.isServing() ? "SERVING" : "NOT_SERVING");
  return {
    definition: root.grpc.health.v1.Health.service,
    implementation: {
      Check(
        call: ServerUnaryCall<HealthRequest, HealthResponse>,
        callback: sendUnaryData<HealthResponse>,
      ) {
        if (!HEALTH_SERVICES.includes(call.request.service)) {
          callback({ code: status.NOT_FOUND, details: `unknown service ${call.request.service}` });
          return;
        }
        callback(null, { status: current() });
      },
      Watch(call: ServerWritableStream<HealthRequest, HealthResponse>) {
        if (!HEALTH_SERVICES.includes(call.request.service)) {
          call.write({ status: "SERVICE_UNKNOWN" });
          return;
        }
        let last = current();
        call.write({ status: last });
        const unsubscribe = source.subscribe(() => {
          const now = current();
          if (now !== last) call.write({ status: last = now });
        });
        call.on("cancelled", unsubscribe);
        call.on("close", unsubscribe);
      },
    },
  };
}
