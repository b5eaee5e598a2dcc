import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateSecretValue, SECRET_VALUE_ALPHABET } from './secret-value.js';

describe('generateSecretValue', () => {
  it('gives 24 letters and digits, the first a letter', () => {
    for (let i = 0; i < 2000; i++) {
      const value = generateSecretValue();
      assert.match(value, /^[A-Za-z][A-Za-z0-9]{23}$/);
    }
  });

  it('never starts with "-", even from bytes that base64url turns into a leading "-"', () => {
    // 0xf8 is "-" as base64url's first character; it is redrawn here, then 0x00 gives "A".
    const stream = [0xf8, 0xf9, 0xfa, 0x00, ...Array<number>(40).fill(27)];
    const value = generateSecretValue(16, (size) => Uint8Array.from(stream.splice(0, size)));
    assert.equal(Buffer.from([0xf8, 0, 0]).toString('base64url')[0], '-');
    assert.equal(value, `A${'b'.repeat(15)}`);
  });

  it('redraws bytes that would bias the draw (256 is not a multiple of 52 or 62)', () => {
    // Limits: 52 * 4 = 208 for the first letter, 62 * 4 = 248 for the others.
    const calls: number[] = [];
    const value = generateSecretValue(16, (size) => {
      calls.push(size);
      const first = [208, 207, 248, 247];
      return Uint8Array.from({ length: size }, (_, i) => (calls.length === 1 ? (first[i] ?? 248) : 61));
    });
    // 208 redrawn, 207 → "z" (51), 248 redrawn, 247 → "9" (61), then a second draw for the rest.
    assert.equal(value, `z${'9'.repeat(15)}`);
    assert.deepEqual(calls, [16, 16]);
  });

  it('uses the whole alphabet and gives distinct values', () => {
    const values = new Set(Array.from({ length: 500 }, () => generateSecretValue()));
    assert.equal(values.size, 500);
    const seen = new Set([...values].join(''));
    assert.equal(seen.size, SECRET_VALUE_ALPHABET.length);
  });

  it('honours a longer length and refuses a short one', () => {
    assert.equal(generateSecretValue(40).length, 40);
    assert.throws(() => generateSecretValue(8), /length must be an integer of at least 16, got 8/);
    assert.throws(() => generateSecretValue(20.5), /got 20\.5/);
  });
});
