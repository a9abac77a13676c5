/**
 * The standard `grpc.health.v1.Health` service on the signer's port, so load balancers and
 * Kubernetes gRPC probes see the same readiness as /readyz.
 *
 * @module
 */
import {
  type sendUnaryData,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  status,
} from "@grpc/grpc-js";
import { HEALTH_SERVICE } from "./service_definitions.ts";

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

/**
 * The health service definition and its implementation.
 *
 * `Watch` needs no token and lasts as long as the caller likes, so at most `maxWatches` are open at
 * once; more get `RESOURCE_EXHAUSTED` (probes use `Check`, which answers at once).
 *
 * @param source readiness and its changes
 * @param maxWatches most `Watch` streams open at once; 0 means no limit
 * @returns what `Server.addService` takes
 */
export function healthService(source: HealthSource, maxWatches = 0): {
  definition: ServiceDefinition;
  implementation: Record<string, unknown>;
} {
  const current = (): HealthResponse["status"] => (source.isServing() ? "SERVING" : "NOT_SERVING");
  let watches = 0;
  return {
    definition: HEALTH_SERVICE,
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
        if (maxWatches > 0 && watches >= maxWatches) {
          call.emit("error", {
            code: status.RESOURCE_EXHAUSTED,
            details: `too many health watches (${maxWatches} open); use Check`,
          });
          return;
        }
        watches++;
        let unsubscribe = () => {};
        let ended = false;
        const end = () => {
          if (ended) return;
          ended = true;
          watches--;
          unsubscribe();
        };
        call.on("cancelled", end);
        call.on("close", end);
        if (!HEALTH_SERVICES.includes(call.request.service)) {
          call.write({ status: "SERVICE_UNKNOWN" });
          return;
        }
        let last = current();
        call.write({ status: last });
        unsubscribe = source.subscribe(() => {
          const now = current();
          if (now !== last) call.write({ status: last = now });
        });
      },
    },
  };
}
