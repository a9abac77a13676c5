/**
 * Certificate serial numbers: 128 uniformly random bits, encoded as a positive INTEGER.
 *
 * Unpredictable serials are what makes chosen-prefix collisions impractical (CA/B Forum asks for
 * at least 64 bits; native Talos draws from 2^128).
 *
 * @module
 */

/** Bytes of randomness in every serial. */
export const SERIAL_BYTES = 16;

/**
 * Turns random bytes into the minimal positive serial, as lowercase hex without a sign byte.
 *
 * @param random exactly {@linkcode SERIAL_BYTES} random bytes
 * @returns hex digits of the serial, never all zero
 * @throws {RangeError} when the input has the wrong length or is all zero
 */
export function buildSerial(random: Uint8Array): string {
  if (random.length !== SERIAL_BYTES) {
    throw new RangeError(`Cannot build serial: need ${SERIAL_BYTES} bytes, got ${random.length}`);
  }
  const first = random.findIndex((b) => b !== 0);
  if (first < 0) throw new RangeError("Cannot build serial: it would be zero");
  return random.subarray(first).toHex();
}

/**
 * Draws a fresh serial from the platform CSPRNG.
 *
 * @returns hex digits of a new serial
 */
export function randomSerial(): string {
  for (;;) {
    const random = crypto.getRandomValues(new Uint8Array(SERIAL_BYTES));
    if (random.some((b) => b !== 0)) return buildSerial(random);
  }
}
