/**
 * Certificate-and-key material that cannot be used (a CA, a serving certificate), with the input at
 * fault, so configuration loading can name the right setting and file.
 *
 * @module
 */

/** Which half of a certificate/key pair is at fault. */
export type MaterialInput = "certificate" | "key";

/** Unusable certificate or key material. */
export class MaterialError extends Error {
  /** Which input is at fault: the certificate or the key. */
  readonly input: MaterialInput;
  /**
   * @param input the input at fault
   * @param message what is wrong with it
   * @param options the underlying error
   */
  constructor(input: MaterialInput, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "MaterialError";
    this.input = input;
  }
}
