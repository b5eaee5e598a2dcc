import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readLastLines } from './read-last-lines.js';
import { testDir } from './test-dir.fixture.js';

const dir = testDir('rg-test-tail-');
let n = 0;
function file(content: string | Buffer): string {
  const path = join(dir, `f${n++}.log`);
  writeFileSync(path, content);
  return path;
}

describe('readLastLines: the last N lines, read from the end of the file', () => {
  it('returns the last N lines of a file ending with a newline', async () => {
    assert.deepEqual(await readLastLines(file('a\nb\nc\nd\n'), 2), ['c', 'd']);
  });

  it('counts a last line without its newline', async () => {
    assert.deepEqual(await readLastLines(file('a\nb\nc'), 2), ['b', 'c']);
    assert.deepEqual(await readLastLines(file('only'), 3), ['only']);
  });

  it('drops the \\r of CRLF line ends', async () => {
    assert.deepEqual(await readLastLines(file('a\r\nb\r\nc\r\n'), 2), ['b', 'c']);
    assert.deepEqual(await readLastLines(file('a\r\nb\r\nc'), 5), ['a', 'b', 'c']);
  });

  it('returns the whole file when it is shorter than N, keeping empty lines', async () => {
    assert.deepEqual(await readLastLines(file('a\n\nb\n'), 10), ['a', '', 'b']);
    assert.deepEqual(await readLastLines(file(''), 10), []);
    assert.deepEqual(await readLastLines(file('\n'), 10), ['']);
    assert.deepEqual(await readLastLines(file('x\n'), 0), []);
  });

  it('keeps a multi-byte character whole when a read block boundary cuts it', async () => {
    // Blocks are 64 KiB from the end: the boundary falls inside the 4-byte emoji.
    const tail = `${'t'.repeat(100)}\n`;
    const longLine = `${'x'.repeat(10)}€😀${'y'.repeat(64 * 1024 - tail.length - 3)}`;
    const fromEmoji = Buffer.byteLength(`😀${longLine.split('😀')[1]}\n${tail}`);
    assert.ok(fromEmoji > 64 * 1024 && fromEmoji - 4 < 64 * 1024, 'the block boundary cuts the emoji');
    const path = file(`first\n${longLine}\n${tail}`);
    assert.deepEqual(await readLastLines(path, 2), [longLine, tail.trimEnd()]);
    assert.deepEqual(await readLastLines(path, 3), ['first', longLine, tail.trimEnd()]);
  });

  it('finds lines spread over many blocks, and the last N of a big file', async () => {
    const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i} ${'é'.repeat(i % 7)}`);
    const path = file(`${lines.join('\n')}\n`);
    assert.deepEqual(await readLastLines(path, 500), lines.slice(-500));
    assert.deepEqual(await readLastLines(path, 60_000), lines);
  });
});
