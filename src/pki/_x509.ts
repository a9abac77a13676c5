/**
 * The one door to `@peculiar/x509` and its ASN.1 schemas.
 *
 * `@peculiar/x509` v2 decorates its classes with `reflect-metadata`, which must be loaded first;
 * keeping every import here makes that ordering impossible to get wrong elsewhere.
 *
 * @module
 */
import "reflect-metadata";

export * as x509 from "@peculiar/x509";
export { AsnConvert, OctetString } from "@peculiar/asn1-schema";
export {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  Name as AsnName,
  RelativeDistinguishedName,
  SubjectPublicKeyInfo,
} from "@peculiar/asn1-x509";
export { ECParameters, ECPrivateKey } from "@peculiar/asn1-ecc";
export { PrivateKeyInfo } from "@peculiar/asn1-pkcs8";
