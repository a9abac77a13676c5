/**
 * The `--help` text, generated from the settings table.
 *
 * @module
 */
import { SETTINGS } from "../config/settings.ts";

/**
 * Formats the usage text.
 *
 * @returns the help text listing verbs and every setting with its default
 */
export function formatHelp(): string {
  const lines = [
    "talos-csr-signer: issues Talos apid certificates to workers of a non-Talos control plane.",
    "",
    "Usage: talos-csr-signer [serve|dev|request|manifests|version|help] [--flag value ...]",
    "",
    "Verbs:",
    "  serve      run the signer (default)",
    "  dev        run on 127.0.0.1:50001 with a throwaway DEVELOPMENT CA and token (.dev-state/)",
    "  request    check a running signer exactly as a Talos worker would (request --help)",
    "  manifests  print Kubernetes manifests from a secrets.yaml (manifests --help)",
    "  version    print version, commit, Deno and V8 versions",
    "",
    "Settings (flag / environment variable, flags win):",
  ];
  for (const s of SETTINGS) {
    const fallback = s.default === "" ? "unset" : s.default;
    lines.push(`  --${s.flag} / ${s.env}  (default: ${fallback})`);
    lines.push(`      ${s.description}`);
  }
  return lines.join("\n") + "\n";
}
