import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runGroup } from './process-group.js';
import { stripAnsi } from './text.js';
import { testDir } from './test-dir.fixture.js';

describe('stripAnsi', () => {
  const table: { input: string; want: string }[] = [
    { input: '\x1b[2Kbackend-1  | up', want: 'backend-1  | up' },
    { input: '\x1b[36mweb\x1b[0m | ok', want: 'web | ok' },
    { input: '\x1b]0;title\x07text', want: 'text' },
    { input: 'plain ✅ text', want: 'plain ✅ text' },
  ];
  for (const c of table) it(`cleans ${JSON.stringify(c.input)}`, () => assert.equal(stripAnsi(c.input), c.want));
});

describe('runGroup', () => {
  it('streams stdout and stderr to the sink and returns the exit code with the last lines', async () => {
    const chunks: { text: string; stream: string | undefined }[] = [];
    const r = await runGroup([process.execPath, '-e', 'console.log("out1"); console.error("err1"); process.exit(4)'], {
      cwd: process.cwd(),
      env: process.env,
      output: { write: (c, stream) => chunks.push({ text: c.toString(), stream }), line: () => undefined },
    });
    assert.equal(r.exitCode, 4);
    assert.ok(chunks.some((c) => c.stream === 'stdout' && c.text.includes('out1')));
    assert.ok(chunks.some((c) => c.stream === 'stderr' && c.text.includes('err1')));
    assert.ok(r.tail.includes('err1'));
  });
  it('keeps the last 20 non-blank lines, in order, and the unfinished one, of output arriving in big chunks', async () => {
    // 60,000 lines with a blank one every third: 64 KiB chunks, lines and blanks cut anywhere.
    const script = 'let s = ""; for (let i = 1; i <= 60000; i++) { s += `line ${i}\\n`; if (i % 3 === 0) s += "\\n"; } process.stdout.write(s); process.stdout.write("no newline at the end");';
    const r = await runGroup([process.execPath, '-e', script], { cwd: process.cwd(), env: process.env });
    const want = [...Array.from({ length: 20 }, (_, i) => `line ${59981 + i}`), 'no newline at the end'];
    assert.deepEqual(r.tail, want);
  });
  it('captures stdout when asked', async () => {
    const r = await runGroup([process.execPath, '-e', 'process.stdout.write("a\\nb")'], { cwd: process.cwd(), env: process.env, capture: true });
    assert.equal(r.stdout, 'a\nb');
  });
  it('reports a program that cannot start instead of throwing', async () => {
    const r = await runGroup(['rg-no-such-program-xyz'], { cwd: process.cwd(), env: process.env });
    assert.ok(r.spawnError);
    assert.notEqual(r.exitCode, 0);
  });
});

describe('runGroup with stdoutFd', () => {
  it('sends stdout straight to the file and only stderr to the output', async () => {
    const path = join(testDir('rg-test-stdoutfd-'), 'out');
    const fd = openSync(path, 'w');
    const seen: string[] = [];
    const r = await runGroup(['sh', '-c', 'echo to-file; echo to-output >&2'], { stdoutFd: fd, output: { write: (c) => seen.push(String(c)), line: () => undefined } });
    closeSync(fd);
    assert.equal(r.exitCode, 0);
    assert.equal(readFileSync(path, 'utf8'), 'to-file\n');
    assert.equal(seen.join(''), 'to-output\n');
  });
});
