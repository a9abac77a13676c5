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
  /** True when an explicitly empty value means "off" rather than "use the default". */
  emptyDisables?: boolean;
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
  | "servingCertLifetime"
  | "tlsMinVersion"
  | "allowedIpCidrs"
  | "allowedDnsSuffixes"
  | "allowSingleLabelNames"
  | "peerBinding"
  | "maxSans"
  | "rateLimitPerPeer"
  | "rateLimitBurst"
  | "authFailureLimit"
  | "authFailureCooldown"
  | "maxInFlight"
  | "maxInFlightWait"
  | "tlsHandshakeTimeout"
  | "connectionIdleTimeout"
  | "requestTimeout"
  | "maxConnections"
  | "maxConnectionsPerAddress"
  | "maxStreamsPerConnection"
  | "maxOpenStreams"
  | "maxHealthWatches"
  | "allowInsecureKeyPermissions"
  | "httpAddr"
  | "reloadInterval"
  | "shutdownGrace"
  | "logLevel"
  | "logFormat";

/** Raw setting values as text, after flags, environment and defaults are combined. */
export type RawSettings = Record<SettingKey, string>;

/** The settings table, in the order `--help` lists it. */
export const SETTINGS: readonly Setting[] = [
  {
    key: "listenAddress",
    env: "LISTEN_ADDRESS",
    flag: "listen-address",
    default: "::",
    description:
      "Address to listen on. The default :: is every address of both families, like native trustd (IPv4 only, with a warning, on a host without IPv6); 0.0.0.0 is every IPv4 address only.",
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
      "Comma-separated IPs and DNS names for the self-issued serving certificate: every address and name workers dial (the control-plane endpoint). 127.0.0.1, ::1 and localhost are always added.",
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
    key: "servingCertLifetime",
    env: "SERVING_CERT_LIFETIME",
    flag: "serving-cert-lifetime",
    default: "24h",
    description:
      "Lifetime of the self-issued serving certificate on the listening port, renewed at half of what remains (native trustd: 24h, renewed every 12h). At least 10s; below 1h is meant for tests, since a worker whose clock runs ahead would reject it.",
  },
  {
    key: "tlsMinVersion",
    env: "TLS_MIN_VERSION",
    flag: "tls-min-version",
    default: "1.2",
    description:
      "Oldest TLS version accepted: 1.2 or 1.3. Native trustd accepts 1.2 and 1.3 (the siderolabs/crypto default minimum is 1.2), as does this default; 1.3 refuses TLS 1.2 clients. TLS 1.0/1.1 are never accepted.",
  },
  {
    key: "allowedIpCidrs",
    env: "ALLOWED_IP_CIDRS",
    flag: "allowed-ip-cidrs",
    default: "",
    description:
      "Comma-separated CIDR ranges (IPv4 and IPv6) every IP SAN must fall in; 127.0.0.1 and ::1 are always allowed. Unset: any IP.",
  },
  {
    key: "allowedDnsSuffixes",
    env: "ALLOWED_DNS_SUFFIXES",
    flag: "allowed-dns-suffixes",
    default: "",
    description:
      "Comma-separated DNS suffixes every DNS SAN must equal or end with, on a label boundary. Unset: any name.",
  },
  {
    key: "allowSingleLabelNames",
    env: "ALLOW_SINGLE_LABEL_NAMES",
    flag: "allow-single-label-names",
    default: "true",
    description:
      "With ALLOWED_DNS_SUFFIXES set, whether plain host names such as worker-1 (which Talos workers request) pass.",
  },
  {
    key: "peerBinding",
    env: "PEER_BINDING",
    flag: "peer-binding",
    default: "off",
    description:
      "off, warn, enforce or strict. enforce: the caller's source address must be one of the CSR's IP SANs (other node addresses may be listed too); strict: every IP SAN must be the caller's address or loopback (refuses multi-homed workers); warn: log what enforce would refuse. A proxy or load balancer that hides client addresses breaks enforce and strict (see docs/security.md).",
  },
  {
    key: "maxSans",
    env: "MAX_SANS",
    flag: "max-sans",
    default: "64",
    description: "Most SANs one certificate may carry.",
  },
  {
    key: "rateLimitPerPeer",
    env: "RATE_LIMIT_PER_PEER",
    flag: "rate-limit-per-peer",
    default: "100",
    description:
      "Sustained Certificate calls per second per source (IPv4 address or IPv6 /64); 0 turns it off.",
  },
  {
    key: "rateLimitBurst",
    env: "RATE_LIMIT_BURST",
    flag: "rate-limit-burst",
    default: "500",
    description: "Calls per source address allowed in a burst above the sustained rate.",
  },
  {
    key: "authFailureLimit",
    env: "AUTH_FAILURE_LIMIT",
    flag: "auth-failure-limit",
    default: "10",
    description:
      "Invalid-token calls from one source (IPv4 address or IPv6 /64) within a minute before its calls without a valid token are refused for AUTH_FAILURE_COOLDOWN; 0 turns it off.",
  },
  {
    key: "authFailureCooldown",
    env: "AUTH_FAILURE_COOLDOWN",
    flag: "auth-failure-cooldown",
    default: "60s",
    description:
      "How long calls without a valid token from an address that hit AUTH_FAILURE_LIMIT get RESOURCE_EXHAUSTED (a valid token is always served).",
  },
  {
    key: "maxInFlight",
    env: "MAX_IN_FLIGHT",
    flag: "max-in-flight",
    default: "256",
    description: "Most Certificate calls signing at once; 0 turns the cap off.",
  },
  {
    key: "maxInFlightWait",
    env: "MAX_IN_FLIGHT_WAIT",
    flag: "max-in-flight-wait",
    default: "2s",
    description: "How long a call waits for a signing slot before RESOURCE_EXHAUSTED.",
  },
  {
    key: "tlsHandshakeTimeout",
    env: "TLS_HANDSHAKE_TIMEOUT",
    flag: "tls-handshake-timeout",
    default: "10s",
    description: "Connections that have not completed the TLS handshake by then are closed.",
  },
  {
    key: "connectionIdleTimeout",
    env: "CONNECTION_IDLE_TIMEOUT",
    flag: "connection-idle-timeout",
    default: "60s",
    description:
      "Connections with no call for this long are closed (workers never reuse one). 0 turns the idle limit off: idle connections are then bounded only by MAX_CONNECTIONS, MAX_CONNECTIONS_PER_ADDRESS and the eviction of connections that never presented a valid token.",
  },
  {
    key: "requestTimeout",
    env: "REQUEST_TIMEOUT",
    flag: "request-timeout",
    default: "10s",
    description:
      "A connection's first call must start, and each call's request arrive complete and its answer be taken, within this; otherwise the connection is closed (stops slow-drip and never-finished requests, and peers that stop reading). Must exceed MAX_IN_FLIGHT_WAIT.",
  },
  {
    key: "maxConnections",
    env: "MAX_CONNECTIONS",
    flag: "max-connections",
    default: "512",
    description:
      "Most open connections in total; more are closed before the TLS handshake. 0 turns the cap off.",
  },
  {
    key: "maxConnectionsPerAddress",
    env: "MAX_CONNECTIONS_PER_ADDRESS",
    flag: "max-connections-per-address",
    default: "64",
    description:
      "Most open connections from one source address (workers behind one NAT share it; each holds a connection for milliseconds). 0 turns the cap off.",
  },
  {
    key: "maxStreamsPerConnection",
    env: "MAX_STREAMS_PER_CONNECTION",
    flag: "max-streams-per-connection",
    default: "4",
    description:
      "HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS: calls open at once on one connection (a worker uses one).",
  },
  {
    key: "maxOpenStreams",
    env: "MAX_OPEN_STREAMS",
    flag: "max-open-streams",
    default: "512",
    description:
      "Most calls open at once across all connections, before any token is checked; more get RST_STREAM REFUSED_STREAM, which gRPC clients retry. 0 turns the cap off.",
  },
  {
    key: "maxHealthWatches",
    env: "MAX_HEALTH_WATCHES",
    flag: "max-health-watches",
    default: "64",
    description:
      "Most grpc.health.v1 Watch streams open at once (they need no token and last until cancelled); more get RESOURCE_EXHAUSTED. 0 turns the cap off.",
  },
  {
    key: "allowInsecureKeyPermissions",
    env: "ALLOW_INSECURE_KEY_PERMISSIONS",
    flag: "allow-insecure-key-permissions",
    default: "false",
    description:
      "Start even when the CA key, secrets bundle or token file is readable by group or others.",
  },
  {
    key: "httpAddr",
    env: "HTTP_ADDR",
    flag: "http-addr",
    default: "127.0.0.1:9090",
    description:
      "host:port of the HTTP listener for /healthz, /readyz and /metrics. Empty (or off) disables it.",
    emptyDisables: true,
  },
  {
    key: "reloadInterval",
    env: "RELOAD_INTERVAL",
    flag: "reload-interval",
    default: "30s",
    description:
      "How often files are re-checked for changes, besides watching their folders and SIGHUP. 0s: only on change or SIGHUP.",
  },
  {
    key: "shutdownGrace",
    env: "SHUTDOWN_GRACE",
    flag: "shutdown-grace",
    default: "10s",
    description: "On SIGTERM/SIGINT, how long calls in flight may take to finish before exit.",
  },
  {
    key: "logLevel",
    env: "LOG_LEVEL",
    flag: "log-level",
    default: "info",
    description: "Least severe level logged: debug, info, warn or error.",
  },
  {
    key: "logFormat",
    env: "LOG_FORMAT",
    flag: "log-format",
    default: "json",
    description: "Log line format: json (one object per line) or text.",
  },
];
