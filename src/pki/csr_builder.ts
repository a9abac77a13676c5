/**
 * Building a PKCS#10 CSR the way a Talos worker does (fresh key, CN and SANs), for the `request`
 * verb's end-to-end check of a running signer.
 *
 * @module
 */
import { concat, encode, encodeOid, TAG } from "./der.ts";
import { encodeGeneralNames } from "./general_names.ts";
import type { KeyType } from "./key_type.ts";
import { buildCommonNameSubject } from "./name.ts";
import { encodePem } from "./pem.ts";
import { signatureAlgorithmFor, signForX509 } from "./signature_algorithm.ts";

/** What to request. */
export interface CsrRequest {
  /** The subject CN. */
  commonName: string;
  /** DNS SANs. */
  dnsNames: string[];
  /** IP SANs. */
  ipAddresses: string[];
}

/**
 * Builds and signs a CSR.
 *
 * @param keys the key pair (extractable public key)
 * @param type its key type
 * @param request subject and SANs
 * @returns the CSR as PEM (`CERTIFICATE REQUEST`)
 * @throws {TypeError} when an IP SAN is not an address
 */
export async function buildCsr(
  keys: CryptoKeyPair,
  type: KeyType,
  request: CsrRequest,
): Promise<string> {
  const hasNames = request.dnsNames.length + request.ipAddresses.length > 0;
  const san = encode(
    TAG.sequence,
    encodeOid("2.5.29.17"),
    encode(TAG.octetString, encodeGeneralNames(request)),
  );
  const extensionRequest = encode(
    TAG.sequence,
    encodeOid("1.2.840.113549.1.9.14"),
    encode(TAG.set, encode(TAG.sequence, san)),
  );
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
  const info = encode(
    TAG.sequence,
    new Uint8Array([TAG.integer, 1, 0]),
    buildCommonNameSubject(request.commonName),
    spki,
    encode(0xa0, ...(hasNames ? [extensionRequest] : [])),
  );
  const signature = await signForX509(keys.privateKey, type, info);
  const algorithm = signatureAlgorithmFor(type).identifier;
  const csr = encode(
    TAG.sequence,
    info,
    algorithm,
    encode(TAG.bitString, concat(new Uint8Array([0]), signature)),
  );
  return encodePem("CERTIFICATE REQUEST", csr);
}
