import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RgUnsafeFileError } from './errors.js';
import { parseJsonQuietly, readRegularFile, readRegularText } from './safe-file.js';
import { testDir } from './test-dir.fixture.js';

describe('readRegularFile refuses what it must not open, at once', () => {
  let dir: string;
  let inside: string;
  before(() => {
    dir = testDir('rg-safe-file-');
    inside = join(dir, 'logs');
    mkdirSync(inside);
    // Real special files: a FIFO opened for reading would block this test forever.
    execFileSync('mkfifo', [join(inside, 'fifo')]);
    writeFileSync(join(dir, 'outside.txt'), 'OUTSIDE-CONTENT');
    writeFileSync(join(inside, 'ok.json'), '{"a":1}');
    writeFileSync(join(inside, 'big.txt'), 'x'.repeat(2048));
    symlinkSync(join(dir, 'outside.txt'), join(inside, 'link-out'));
    symlinkSync('ok.json', join(inside, 'link-in'));
    symlinkSync(join(inside, 'fifo'), join(dir, 'link-to-fifo'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const refusals: [string, () => string, { maxBytes: number; within?: boolean }, RegExp][] = [
    ['a FIFO', () => join(inside, 'fifo'), { maxBytes: 1024 }, /is a FIFO \(named pipe\); only a regular file \(at most 1 KiB\)/],
    ['a symlink to a FIFO', () => join(dir, 'link-to-fifo'), { maxBytes: 1024 }, /is a FIFO/],
    ['/dev/zero', () => '/dev/zero', { maxBytes: 1024 }, /is a character device/],
    ['a folder', () => inside, { maxBytes: 1024 }, /is a folder/],
    ['an oversize file', () => join(inside, 'big.txt'), { maxBytes: 1024 }, /is 2 KiB; at most 1 KiB is read/],
    ['a symlink leading out of the folder', () => join(inside, 'link-out'), { maxBytes: 1024, within: true }, /is a symlink to .*outside\.txt, outside .*only files inside it are read/],
  ];
  for (const [name, path, opts, message] of refusals) {
    it(`refuses ${name} with RG_UNSAFE_FILE (exit 2), naming the path`, () => {
      const file = path();
      assert.throws(
        () => readRegularFile(file, { maxBytes: opts.maxBytes, ...(opts.within ? { within: inside } : {}) }),
        (err: unknown) => {
          assert.ok(err instanceof RgUnsafeFileError);
          assert.equal(err.code, 'RG_UNSAFE_FILE');
          assert.equal(err.exitCode, 2);
          assert.equal(err.path, file);
          assert.ok(err.message.includes(file), err.message);
          assert.match(err.message, message);
          assert.ok(!err.message.includes('OUTSIDE-CONTENT'));
          return true;
        },
      );
    });
  }

  it('reads a regular file, and a symlink that stays inside the folder', () => {
    assert.equal(readRegularText(join(inside, 'ok.json'), { maxBytes: 1024, within: inside }), '{"a":1}');
    assert.equal(readRegularText(join(inside, 'link-in'), { maxBytes: 1024, within: inside }), '{"a":1}');
    assert.equal(readRegularText(join(inside, 'big.txt'), { maxBytes: 2048 }).length, 2048);
  });

  it('follows a symlink out when no folder confines it (a config may be a symlink)', () => {
    assert.equal(readRegularText(join(inside, 'link-out'), { maxBytes: 1024 }), 'OUTSIDE-CONTENT');
  });

  it('lets a missing file fail as the fs does (ENOENT), for the caller to word', () => {
    assert.throws(() => readRegularFile(join(dir, 'absent'), { maxBytes: 10 }), { code: 'ENOENT' });
  });
});

describe('parseJsonQuietly', () => {
  const cases: [string, string][] = [
    ['precious secret text', 'not valid JSON'],
    ['{"a": precious}', 'not valid JSON'],
    ['{"a":1} trailing-precious', 'not valid JSON (at byte 8)'],
  ];
  for (const [text, message] of cases) {
    it(`says where ${JSON.stringify(text.slice(0, 12))} stops parsing, never quoting it`, () => {
      assert.throws(() => parseJsonQuietly(text), (err: Error) => {
        assert.ok(err.message.startsWith(message), err.message);
        assert.ok(!err.message.includes('precious'), err.message);
        return true;
      });
    });
  }
  it('parses JSON', () => assert.deepEqual(parseJsonQuietly('[1]'), [1]));
});
