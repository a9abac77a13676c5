/**
 * Worker machine configurations for tests: the committed fixture (tests/fixtures/talos/worker.yaml,
 * shaped by Talos's published v1alpha1 schema) with one test's token, CAs and endpoint filled in,
 * as `talosctl gen config` fills them from secrets.yaml.
 *
 * @module
 */
import { parseDocument } from "yaml";
import { REPO_ROOT } from "./fixtures.ts";

/** The fixture's path. */
export const WORKER_FIXTURE = `${REPO_ROOT}tests/fixtures/talos/worker.yaml`;

/** What a test puts into the worker configuration. */
export interface WorkerValues {
  /** machine.token */
  token: string;
  /** machine.ca.crt, PEM (written as base64, as Talos does). */
  caPem: string;
  /** machine.acceptedCAs, PEM each. */
  acceptedCaPems?: string[];
  /** cluster.controlPlane.endpoint */
  endpoint: string;
}

/**
 * Renders the fixture with these values.
 *
 * @param values the token, CAs and endpoint
 * @returns the YAML text
 */
export async function renderWorkerConfig(values: WorkerValues): Promise<string> {
  const document = parseDocument(await Deno.readTextFile(WORKER_FIXTURE));
  const base64 = (pem: string) => new TextEncoder().encode(pem).toBase64();
  document.setIn(["machine", "token"], values.token);
  document.setIn(["machine", "ca", "crt"], base64(values.caPem));
  if (values.acceptedCaPems) {
    document.setIn(
      ["machine", "acceptedCAs"],
      values.acceptedCaPems.map((pem) => ({ crt: base64(pem) })),
    );
  }
  document.setIn(["cluster", "controlPlane", "endpoint"], values.endpoint);
  return document.toString({ lineWidth: 0 });
}
