/**
 * Kubernetes objects as plain data, the form every manifest builder returns and the YAML printer
 * and schema validators read.
 *
 * @module
 */

/** A Kubernetes object, or a part of one, as plain data. */
export type KubernetesObject = Record<string, unknown>;
