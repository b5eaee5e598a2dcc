import * as assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { feedGrowingFile } from './follow-file.js';
import { runGroup } from './process-group.js';
import { testDir } from './test-dir.fixture.js';

/** Runs `script` (sh) with its stdout in a new file, and feeds that file while it runs. */
async function follow(script: string): Promise<{ chunks: string[]; exitCode: number }> {
  const path = join(testDir('rg-follow-'), 'out');
  const fd = openSync(path, 'w');
  let finished = false;
  const chunks: string[] = [];
  const writer = runGroup(['sh', '-c', script], { stdoutFd: fd }).finally(() => (finished = true));
  try {
    await feedGrowingFile(path, { write: (c) => chunks.push(String(c)), line: () => undefined }, { finished: () => finished });
  } finally {
    closeSync(fd);
  }
  return { chunks, exitCode: (await writer).exitCode };
}

describe('feedGrowingFile', () => {
  it('delivers every line of a file written slowly, in order, while it is written, and the unfinished last line', async () => {
    // Pauses longer than the poll: the reader catches up with the writer several times.
    const r = await follow('for i in 1 2 3 4; do echo "line $i"; sleep 0.1; done; printf "half"; sleep 0.1; printf " a line"');
    assert.equal(r.exitCode, 0);
    assert.equal(r.chunks.join(''), 'line 1\nline 2\nline 3\nline 4\nhalf a line');
    // Fed as it came, not once at the end: several blocks, each cut at a line end but the last.
    assert.ok(r.chunks.length >= 3, `chunks: ${JSON.stringify(r.chunks)}`);
    for (const chunk of r.chunks.slice(0, -1)) assert.ok(chunk.endsWith('\n'), JSON.stringify(chunk));
  });

  it('delivers a dump bigger than a block whole, with its escapes removed', async () => {
    const r = await follow('i=0; while [ $i -lt 40000 ]; do printf "\\033[2Kservice-1  | line %s of a long dump\\n" $i; i=$((i+1)); done');
    const text = r.chunks.join('');
    const lines = text.split('\n');
    assert.equal(lines.length, 40001);
    assert.equal(lines[0], 'service-1  | line 0 of a long dump');
    assert.equal(lines[39999], 'service-1  | line 39999 of a long dump');
    assert.ok(!text.includes('\x1b'));
  });

  it('stops at once when aborted, even while waiting for the writer', async () => {
    const path = join(testDir('rg-follow-'), 'out');
    closeSync(openSync(path, 'w'));
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error('stopped')), 100);
    await assert.rejects(feedGrowingFile(path, { write: () => true, line: () => undefined }, { signal: abort.signal, finished: () => false }), /stopped/);
  });
});
