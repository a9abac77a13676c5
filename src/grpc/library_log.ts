/**
 * grpc-js writes its own errors to stderr as bare `E ...` lines (for example "No address added out
 * of total 1 resolved" next to our own "cannot listen" line). This sends them into our log instead,
 * at debug level, as structured records: every failure they describe also reaches the caller as an
 * error, which the edges report in words that name the setting at fault.
 *
 * @module
 */
import { setLogger } from "@grpc/grpc-js";
import type { Logger } from "../ops/log.ts";

/**
 * Routes grpc-js's internal log lines to `logger` at debug level.
 *
 * @param logger where the lines go
 */
export function routeGrpcLibraryLog(logger: Logger): void {
  const forward = (severity: string) => (message: unknown, ...rest: unknown[]) =>
    logger.log("debug", "grpc-js", {
      severity,
      message: [message, ...rest].map(String).join(" "),
    });
  setLogger({ error: forward("error"), info: forward("info"), debug: forward("debug") });
}
