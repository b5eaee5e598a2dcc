import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BufferedOutput } from './buffered-output.js';
import type { OutputSink } from './output.js';

function sink(): OutputSink & { text(): string } {
  const parts: string[] = [];
  return { write: (chunk) => parts.push(chunk.toString()), line: (text) => parts.push(`${text}\n`), text: () => parts.join('') };
}

describe('BufferedOutput: output written before its log exists', () => {
  it('replays what was kept in order once attached, then forwards live, and keeps again once detached', () => {
    const out = new BufferedOutput();
    out.line('ref v1 → abc');
    out.write('step 1/2\nstep ');
    out.write('2/2\n');
    const log = sink();
    out.attach(log);
    assert.equal(log.text(), 'ref v1 → abc\nstep 1/2\nstep 2/2\n');
    out.line('built');
    assert.equal(log.text(), 'ref v1 → abc\nstep 1/2\nstep 2/2\nbuilt\n');
    out.detach();
    out.line('removed later');
    assert.equal(log.text(), 'ref v1 → abc\nstep 1/2\nstep 2/2\nbuilt\n');
    const teardown = sink();
    out.attach(teardown);
    assert.equal(teardown.text(), 'removed later\n');
  });

  it('keeps the last bytes when the output is bigger than its bound, and says how much was dropped', () => {
    const out = new BufferedOutput(20);
    for (let i = 0; i < 10; i++) out.line(`line ${i}`);
    const log = sink();
    out.attach(log);
    const text = log.text();
    assert.match(text, /^… \d+ bytes of earlier output dropped \(only the last 20 are kept\) …\n/);
    assert.match(text, /line 8\nline 9\n$/);
    assert.doesNotMatch(text, /line 0\n/);
  });

  it('redirect: forwards from now on without replaying what was kept, saying how much was left out', () => {
    const out = new BufferedOutput();
    out.write('#5 [backend 2/3] RUN npm ci\n');
    const teardown = sink();
    out.redirect(teardown);
    out.line('previous release: worktree removed');
    assert.equal(teardown.text(), '(28 bytes of earlier output not repeated here)\nprevious release: worktree removed\n');
    const quiet = sink();
    new BufferedOutput().redirect(quiet);
    assert.equal(quiet.text(), '');
  });
});
