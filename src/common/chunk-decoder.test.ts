import * as assert from 'node:assert/strict';
import { StringDecoder } from 'node:string_decoder';
import { describe, it } from 'node:test';
import { ChunkDecoder } from './chunk-decoder.js';

/** Every way of cutting `bytes` in chunks of the given sizes (cycled), decoded both ways. */
function bothWays(bytes: Buffer, sizes: number[]): [string, string] {
  const ours = new ChunkDecoder();
  const reference = new StringDecoder('utf8');
  let a = '';
  let b = '';
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const chunk = bytes.subarray(at, at + (sizes[i % sizes.length] as number));
    at += chunk.length;
    a += ours.write(chunk);
    b += reference.write(chunk);
  }
  return [a + ours.end(), b + reference.end()];
}

describe('ChunkDecoder', () => {
  const texts: [string, Buffer][] = [
    ['ASCII only', Buffer.from('GET /api/health 200\nPOST /login 302\n'.repeat(20))],
    ['two- and three-byte characters', Buffer.from('café ✔ passed\n✖ failed — naïve\n'.repeat(10))],
    ['four-byte characters (emoji)', Buffer.from('deploy 🚀 ok\n'.repeat(10))],
    ['ASCII right after a split character', Buffer.concat([Buffer.from('ab\u00e9'), Buffer.from('xyz'.repeat(50))])],
    // Valid UTF-8 never puts an ASCII chunk after a partial character (its next bytes are
    // continuation bytes); a truncated one does: the U+FFFD must come before that ASCII.
    ['a truncated character, then ASCII', Buffer.concat([Buffer.from('ok'), Buffer.from([0xe2, 0x9c]), Buffer.from('abc'.repeat(30))])],
    ['bad bytes and a truncated character at the end', Buffer.concat([Buffer.from('ok '), Buffer.from([0xff, 0xfe]), Buffer.from(' then é'), Buffer.from([0xe2, 0x9c])])],
  ];
  for (const [name, bytes] of texts) {
    it(`gives what StringDecoder gives: ${name}, cut every way`, () => {
      for (const sizes of [[1], [2], [3], [4], [1, 2, 3, 5, 8], [7, 1], [64], [bytes.length]]) {
        const [ours, reference] = bothWays(bytes, sizes);
        assert.equal(ours, reference, `chunks of ${sizes.join(',')}`);
      }
    });
  }
});
