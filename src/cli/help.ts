/**
 * The `--help` texts, generated from the settings table: the general one, and one per verb that
 * lists exactly the settings that verb reads.
 *
 * @module
 */
import { SETTINGS } from "../config/settings.ts";
import { DEFAULT_STATE_DIR, DEV_DEFAULT_FLAGS } from "./dev_defaults.ts";

/** Every verb, in the order the help lists them. */
export const VERBS = ["serve", "dev", "request", "manifests", "version", "help"] as const;

/**
 * Formats the general usage text.
 *
 * @returns the help text listing verbs and every setting with its default
 */
export function formatHelp(): string {
  const lines = [
    "talos-csr-signer: issues Talos apid certificates to workers of a non-Talos control plane.",
    "",
    `Usage: talos-csr-signer [${VERBS.join("|")}] [--flag value ...]`,
    "",
    "Verbs (VERB --help lists the settings each one reads):",
    "  serve      run the signer (default)",
    "  dev        run on 127.0.0.1:50001 with a throwaway DEVELOPMENT CA and token (DEV_STATE_DIR)",
    "  request    check a running signer exactly as a Talos worker would (request --help)",
    "  manifests  print Kubernetes manifests from a secrets.yaml (manifests --help)",
    "  version    print version, commit, Deno and V8 versions",
    "",
    ...settingLines("Settings of serve and dev (flag / environment variable, flags win):"),
  ];
  return lines.join("\n") + "\n";
}

/**
 * Formats `serve --help`.
 *
 * @returns the usage of `serve` and every setting it reads
 */
export function formatServeHelp(): string {
  return [
    "Usage: talos-csr-signer serve [--flag value ...]",
    "",
    "Runs the signer. Every setting is a flag or an environment variable; flags win.",
    "",
    ...settingLines("Settings (flag / environment variable):"),
  ].join("\n") + "\n";
}

/**
 * Formats `dev --help`.
 *
 * @returns the usage of `dev`, its own setting, the defaults it gives `serve`, and serve's settings
 */
export function formatDevHelp(): string {
  return [
    "Usage: talos-csr-signer dev [--flag value ...]",
    "",
    "Creates a throwaway DEVELOPMENT CA and token once, then serves with them. Never use them for a",
    "real cluster.",
    "",
    "Setting of dev (environment variable):",
    `  DEV_STATE_DIR  (default: ${DEFAULT_STATE_DIR})`,
    "      Folder for the development CA (ca.crt, ca.key) and token; created with mode 0700.",
    "",
    `dev passes these to serve, before your flags (which win): ${DEV_DEFAULT_FLAGS.join(" ")}`,
    "and the CA and token files in DEV_STATE_DIR (CA_CERT_PATH, CA_KEY_PATH and",
    "TALOS_SECRETS_PATH from the environment are ignored).",
    "",
    ...settingLines("Settings of serve, which dev runs (flag / environment variable):"),
  ].join("\n") + "\n";
}

/**
 * Formats `version --help`.
 *
 * @returns the usage of `version`
 */
export function formatVersionHelp(): string {
  return "Usage: talos-csr-signer version\n\nPrints the version, commit, Deno and V8 versions. Reads no settings.\n";
}

function settingLines(title: string): string[] {
  const lines = [title];
  for (const s of SETTINGS) {
    const fallback = s.default === "" ? "unset" : s.default;
    lines.push(`  --${s.flag} / ${s.env}  (default: ${fallback})`);
    lines.push(`      ${s.description}`);
  }
  return lines;
}
