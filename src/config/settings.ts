/**
 * Every setting of the service, in one table: the `--help` text, the configuration reference and
 * the parser are all generated from it, so they cannot drift apart.
 *
 * @module
 */

/** One configuration setting. */
export interface Setting {
  /** The key in {@linkcode RawSettings}. */
  key: SettingKey;
  /** Environment variable name. */
  env: string;
  /** Command-line flag, without the leading `--`. */
  flag: string;
  /** Default value as text; empty means unset. */
  default: string;
  /** What it does and why one would change it. */
  description: string;
  /** True when the value is secret and must never be echoed. */
  secret?: boolean;
}

/** The keys of all settings. */
export type SettingKey =
  | "listenAddress"
  | "port"
  | "secretsPath"
  | "caCertPath"
  | "caKeyPath"
  | "acceptedCasPath"
  | "tlsCertPath"
  | "tlsKeyPath"
  | "serverSans"
  | "token"
  | "tokenFile"
  | "certLifetime"
  | "tlsMinVersion"
  | "logFormat";

/** Raw setting values as text, after flags, environment and defaults are combined. */
export type RawSettings = Record<SettingKey, string>;

/** The settings table, in the order `--help` lists it. */
export const SETTINGS: readonly Setting[] = [
  {
    key: "listenAddress",
    env: "LISTEN_ADDRESS",
    flag: "listen-address",
    default: "0.0.0.0",
    description: "Address to listen on. 0.0.0.0 is every IPv4 address; use :: for IPv6 too.",
  },
  {
    key: "port",
    env: "PORT",
    flag: "port",
    default: "50001",
    description: "TCP port. Talos workers always dial 50001; 0 picks a free port (tests).",
  },
  {
    key: "secretsPath",
    env: "TALOS_SECRETS_PATH",
    flag: "secrets",
    default: "",
    description:
      "A `talosctl gen secrets` bundle: the CA comes from certs.os, the token from trustdinfo.token. Replaces CA_CERT_PATH and CA_KEY_PATH.",
  },
  {
    key: "caCertPath",
    env: "CA_CERT_PATH",
    flag: "ca-cert",
    default: "/etc/talos-ca/tls.crt",
    description: "Talos machine (OS) CA certificate, PEM. Used when no secrets bundle is given.",
  },
  {
    key: "caKeyPath",
    env: "CA_KEY_PATH",
    flag: "ca-key",
    default: "/etc/talos-ca/tls.key",
    description:
      "Its private key, PEM: ED25519 PRIVATE KEY (as Talos writes it), PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY.",
  },
  {
    key: "acceptedCasPath",
    env: "ACCEPTED_CAS_PATH",
    flag: "accepted-cas",
    default: "",
    description:
      "Extra CA certificates (PEM bundle) returned to workers with the issuing CA, for CA rotation.",
  },
  {
    key: "tlsCertPath",
    env: "TLS_CERT_PATH",
    flag: "tls-cert",
    default: "",
    description:
      "Serving certificate (PEM chain). Unset: a serving certificate is issued from the CA at start-up.",
  },
  {
    key: "tlsKeyPath",
    env: "TLS_KEY_PATH",
    flag: "tls-key",
    default: "",
    description: "Private key of TLS_CERT_PATH. Set both or neither.",
  },
  {
    key: "serverSans",
    env: "SERVER_SANS",
    flag: "server-sans",
    default: "",
    description:
      "Comma-separated IPs and DNS names for the self-issued serving certificate: every address and name workers dial (the control-plane endpoint). 127.0.0.1 and localhost are always added.",
  },
  {
    key: "token",
    env: "TALOS_TOKEN",
    flag: "token",
    default: "",
    description:
      "The machine token (machine.token). Prefer TALOS_TOKEN_FILE or a secrets bundle: flags show in ps.",
    secret: true,
  },
  {
    key: "tokenFile",
    env: "TALOS_TOKEN_FILE",
    flag: "token-file",
    default: "",
    description: "File holding the machine token (surrounding whitespace is ignored).",
  },
  {
    key: "certLifetime",
    env: "CERT_LIFETIME",
    flag: "cert-lifetime",
    default: "24h",
    description:
      "Lifetime of issued certificates (s, m, h or d units). Must exceed 12h: workers renew every 12h.",
  },
  {
    key: "tlsMinVersion",
    env: "TLS_MIN_VERSION",
    flag: "tls-min-version",
    default: "1.2",
    description:
      "Oldest TLS version accepted: 1.2 or 1.3. Current native trustd accepts only 1.3; 1.2 keeps older clients working. TLS 1.0/1.1 are never accepted.",
  },
  {
    key: "logFormat",
    env: "LOG_FORMAT",
    flag: "log-format",
    default: "json",
    description: "Log line format: json (one object per line) or text.",
  },
];
