/**
 * Tokens the tests configure, besides the fixture's, so the after-suite log check can look for
 * every one of them.
 *
 * @module
 */

/** A token used in tests that write their own token file. */
export const FILE_TOKEN = "abcdef.0123456789abcdef";

/** Every test token. */
export const TEST_TOKENS: readonly string[] = [FILE_TOKEN];
