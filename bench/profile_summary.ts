/**
 * Summarises a V8 `.cpuprofile` (from `deno run --cpu-prof`) by where the server's own JavaScript
 * time goes: our code, grpc-js, Deno's Node.js compatibility layer (TLS and HTTP/2 glue), protobuf,
 * and V8 itself (GC, idle, native). Time spent in Rust (rustls, nghttp2) outside JavaScript shows
 * as "(program)" or "(idle)". Used by `deno task profile`.
 *
 * @module
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber?: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The category a sample's leaf frame belongs to. */
export function categorise(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (functionName.startsWith("(")) return functionName; // (garbage collector), (idle), (program)
  // Packages first: grpc-js's files live under node_modules/.../build/src/ too.
  if (url.includes("@grpc/grpc-js")) return "grpc-js";
  if (url.includes("protobufjs") || url.includes("proto-loader")) return "protobufjs";
  if (url.includes("/node_modules/")) return "other npm";
  if (url.includes("/src/pki/")) return "ours: pki (parse, encode, sign)";
  if (url.includes("/src/")) return "ours: other";
  if (url.includes("http2")) return "deno node:http2";
  if (url.includes("tls") || url.includes("net") || url.includes("stream")) {
    return "deno node:tls/net/streams";
  }
  if (url.startsWith("ext:")) return "deno runtime (other)";
  if (url === "") return "native/builtin";
  return "other npm";
}

/**
 * Sums sample time per category.
 *
 * @param profile the parsed profile
 * @returns milliseconds per category, largest first
 */
export function summarise(profile: Profile): [string, number][] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const category = categorise(byId.get(id)!);
    totals.set(category, (totals.get(category) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...totals].sort((a, b) => b[1] - a[1]);
}

/**
 * Sums sample time per function (self time: the leaf frame of each sample), so that the few
 * functions a change should aim at stand out from the categories.
 *
 * @param profile the parsed profile
 * @returns milliseconds per "function file:line", largest first
 */
export function summariseByFunction(profile: Profile): [string, number][] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const file = url.split("/").slice(-2).join("/");
    const name = `${functionName || "(anonymous)"}${
      url ? ` ${file}:${(lineNumber ?? 0) + 1}` : ""
    }`;
    totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...totals].sort((a, b) => b[1] - a[1]);
}

if (import.meta.main) {
  const [path, callsText] = Deno.args;
  const profile: Profile = JSON.parse(await Deno.readTextFile(path!));
  const calls = Number(callsText ?? 1);
  const rows = summarise(profile);
  const busy = rows.filter(([c]) => c !== "(idle)").reduce((n, [, ms]) => n + ms, 0);
  const out = ["category                              ms     µs/call   share of busy"];
  for (const [category, ms] of rows) {
    const share = category === "(idle)" ? "" : `${((ms / busy) * 100).toFixed(1)}%`;
    out.push(
      `${category.padEnd(34)} ${ms.toFixed(0).padStart(7)} ${
        ((ms * 1000) / calls).toFixed(0).padStart(10)
      }   ${share}`,
    );
  }
  Deno.stdout.writeSync(new TextEncoder().encode(out.join("\n") + "\n"));
}
