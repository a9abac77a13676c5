/**
 * What to do about the usual reasons a worker cannot get its certificate. The same hints are
 * listed in docs/troubleshooting.md, keyed by the message `request` prints.
 *
 * @module
 */

/** A failure pattern and its advice. */
export interface Hint {
  pattern: RegExp;
  hint: string;
}

/** Every hint, in the order they are tried (docs/troubleshooting.md lists each). */
export const HINTS: readonly Hint[] = [
  {
    pattern: /machine\.ca\.crt \(and machine\.acceptedCAs\) of .* do not match/,
    hint:
      "give the worker the signer's CA as machine.ca.crt (certs.os.crt of the signer's secrets.yaml); during a CA rotation list the other CA in machine.acceptedCAs and in the signer's ACCEPTED_CAS_PATH",
  },
  {
    pattern: /machine\.token of .* is not accepted/,
    hint:
      "set machine.token of the worker config to the signer's token (trustdinfo.token of the signer's secrets.yaml), or add the worker's token as a line of the signer's TALOS_TOKEN_FILE",
  },
  {
    pattern: /lacks machine\.ca\.crt/,
    hint:
      "the signer returns a CA bundle without the worker's CA: add that CA to the signer's ACCEPTED_CAS_PATH, or give the worker the signer's CA",
  },
  {
    pattern: /connection refused|os error 111/i,
    hint:
      "nothing listens there: is the signer running, on this address and port, and is the port open in firewalls and security groups?",
  },
  {
    pattern: /timed out|deadline/i,
    hint: "no answer in time: check routing and firewalls between this host and the endpoint",
  },
  {
    pattern: /UnknownIssuer|BadSignature|unable to get local issuer|self.signed/i,
    hint:
      "the signer's serving certificate does not chain to --ca: the worker's machine.ca.crt must be the signer's CA (certs.os of the same secrets.yaml)",
  },
  {
    pattern: /not valid for name|does not match|altnames|Hostname\/IP/i,
    hint:
      "the serving certificate does not name the address you dialled: add it to SERVER_SANS (every IP and name in cluster.controlPlane.endpoint)",
  },
  {
    pattern: /expired|NotValidYet|not yet valid/i,
    hint:
      "a certificate is outside its validity: check the clocks on both sides, and the CA's expiry",
  },
  {
    pattern: /protocol version|ProtocolVersion|alert.*version/i,
    hint:
      "no common TLS version: the signer's TLS_MIN_VERSION may be above what this client offers",
  },
  {
    pattern: /no application protocol|ALPN/i,
    hint:
      "the endpoint does not speak HTTP/2 over TLS (ALPN h2): is this really the signer's port 50001, not a proxy terminating TLS?",
  },
  {
    pattern: /invalid token/,
    hint:
      "wrong token: the worker's machine.token must equal the signer's token (trustdinfo.token in secrets.yaml, TALOS_TOKEN or a line of TALOS_TOKEN_FILE)",
  },
  {
    pattern: /missing token/,
    hint: "no token was sent: pass --token, --token-file, or a secrets bundle as --ca",
  },
  {
    pattern: /PERMISSION_DENIED|outside ALLOWED|does not end with|PEER_BINDING/,
    hint:
      "the signer's issuance policy refused a name: check ALLOWED_IP_CIDRS, ALLOWED_DNS_SUFFIXES and PEER_BINDING (docs/security.md)",
  },
  {
    pattern: /RESOURCE_EXHAUSTED|rate limit|too many invalid tokens|busy/,
    hint:
      "a limit refused the call: wait for the retry hint, or raise RATE_LIMIT_PER_PEER / AUTH_FAILURE_LIMIT if many workers share this address",
  },
  {
    pattern: /chains to ca|no certificate in ca verifies/,
    hint:
      "the issued certificate is not signed by any CA in ca: the signer's CA_CERT_PATH and CA_KEY_PATH do not belong together, or ACCEPTED_CAS_PATH is wrong",
  },
];

/**
 * Finds the advice for a failure message.
 *
 * @param message what failed
 * @returns the hint, or undefined when none applies
 */
export function hintFor(message: string): string | undefined {
  return HINTS.find((h) => h.pattern.test(message))?.hint;
}
