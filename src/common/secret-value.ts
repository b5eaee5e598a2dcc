import { randomBytes } from 'node:crypto';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Letters and digits only: no quoting needed in a shell, a URL, an .env file or YAML, and never read as an option. */
export const SECRET_VALUE_ALPHABET = `${LETTERS}0123456789`;
/** Default length: a letter then 23 of 62 characters, about 142 bits of entropy. */
export const SECRET_VALUE_LENGTH = 24;
/** Below this a generated secret would have less than about 90 bits of entropy. */
export const SECRET_VALUE_MIN_LENGTH = 16;

/**
 * A random secret safe as a shell word and an argv item: `[A-Za-z][A-Za-z0-9]{length-1}`,
 * so it never starts with `-` (base64url did: `-Mx8…` became an unknown option). Each
 * character is drawn uniformly by rejection sampling (no modulo bias).
 */
export function generateSecretValue(length: number = SECRET_VALUE_LENGTH, random: (size: number) => Uint8Array = randomBytes): string {
  if (!Number.isInteger(length) || length < SECRET_VALUE_MIN_LENGTH) {
    throw new RangeError(`generateSecretValue: length must be an integer of at least ${SECRET_VALUE_MIN_LENGTH}, got ${length}`);
  }
  let out = '';
  while (out.length < length) {
    for (const byte of random(length)) {
      const alphabet = out.length === 0 ? LETTERS : SECRET_VALUE_ALPHABET;
      // Bytes at or above the largest multiple of the alphabet size are redrawn.
      if (byte >= 256 - (256 % alphabet.length)) continue;
      out += alphabet[byte % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}
