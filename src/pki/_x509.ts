/**
 * The one door to `@peculiar/x509`, the generic X.509 library. Production code loads it only to
 * create the development CA (issuance uses `der.ts`); the tests use it as an independent reference.
 *
 * `@peculiar/x509` v2 decorates its classes with `reflect-metadata`, which must be loaded first;
 * keeping the import here makes that ordering impossible to get wrong elsewhere.
 *
 * @module
 */
import "reflect-metadata";

export * as x509 from "@peculiar/x509";
