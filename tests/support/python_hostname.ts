/**
 * Python's `ssl.match_hostname` as an independent host-name checker: it falls back to the Common
 * Name when a certificate has no DNS SAN and compares with `str.lower()`, which folds some
 * non-ASCII characters (U+212A KELVIN SIGN) to ASCII letters.
 *
 * @module
 */
import { runWithInput } from "./process.ts";

const SCRIPT = `
import json, os, ssl, sys, tempfile, warnings
warnings.simplefilter("ignore")
request = json.load(sys.stdin)
matches = []
with tempfile.TemporaryDirectory() as folder:
    for index, pem in enumerate(request["certificates"]):
        path = os.path.join(folder, "%d.pem" % index)
        with open(path, "w") as f:
            f.write(pem)
        certificate = ssl._ssl._test_decode_cert(path)
        for host in request["hosts"]:
            try:
                ssl.match_hostname(certificate, host)
                matches.append({"certificate": index, "host": host})
            except ssl.CertificateError:
                pass
print(json.dumps(matches))
`;

/** One certificate Python accepts for one host. */
export interface PythonMatch {
  /** Index into the certificates given. */
  certificate: number;
  /** The host name it matched. */
  host: string;
}

/**
 * Asks `/usr/bin/python3`'s `ssl.match_hostname` which certificates it accepts for which hosts.
 *
 * @param certificates PEM certificates
 * @param hosts host names to try on each
 * @returns every (certificate, host) pair Python accepts
 * @throws {Error} when Python fails
 */
export async function pythonHostnameMatches(
  certificates: string[],
  hosts: string[],
): Promise<PythonMatch[]> {
  const result = await runWithInput(
    "/usr/bin/python3",
    ["-c", SCRIPT],
    JSON.stringify({ certificates, hosts }),
  );
  if (result.code !== 0) throw new Error(`python3 match_hostname failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}
