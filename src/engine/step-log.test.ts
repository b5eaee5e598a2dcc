import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runGroup } from '../common/process-group.js';
import { Redactor } from '../common/redactor.js';
import { Console } from './console.js';
import { StepLog } from './step-log.js';
import { testDir } from '../common/test-dir.fixture.js';

const silent = new Console({ write: () => true, isTTY: false } as unknown as NodeJS.WritableStream);

describe('StepLog: backpressure from a slow file', () => {
  it('pauses the producer while the file is behind: no line lost, memory bounded', { timeout: 60_000 }, async () => {
    const dir = testDir('rg-test-steplog-');
    const source = join(dir, 'source.log');
    const lines = Array.from({ length: 120_000 }, (_, i) => `line ${i} ${'x'.repeat(60)}`);
    writeFileSync(source, `${lines.join('\n')}\n`); // ~8 MiB, 8 times the step log's buffer
    // A fifo is a file whose disk is as slow as its reader: the test reads it step by step.
    const fifo = join(dir, 'slow.fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = createReadStream(fifo, { highWaterMark: 64 * 1024 });
    const log = new StepLog(fifo, new Redactor(), silent, 'slow', 'a');
    let maxBuffered = 0;
    const write = log.write.bind(log);
    log.write = (chunk, stream) => {
      const room = write(chunk, stream);
      maxBuffered = Math.max(maxBuffered, log.buffered);
      return room;
    };
    // Nobody reads the fifo before the producer was asked to wait: the stall is certain, not a race.
    let stalled: () => void = () => undefined;
    const firstStall = new Promise<void>((resolve) => (stalled = resolve));
    const drained = log.drained.bind(log);
    log.drained = () => {
      stalled();
      return drained();
    };
    let producerDone = false;
    const producer = runGroup(['cat', source], { output: log }).then((r) => {
      producerDone = true;
      return r;
    });
    // Read the fifo slowly, one chunk per turn, while the producer could run at full speed.
    const received: Buffer[] = [];
    let reads = 0;
    reader.pause();
    await firstStall;
    const ended = once(reader, 'end');
    let closing: Promise<void> | null = null;
    for (;;) {
      const chunk = reader.read() as Buffer | null;
      if (chunk) {
        received.push(chunk);
        reads++;
        continue;
      }
      const waits = [once(reader, 'readable').then(() => 'readable'), ended.then(() => 'end')];
      if (!producerDone) waits.push(producer.then(() => 'done'));
      const event = await Promise.race(waits);
      if (event === 'end') break;
      // Everything is written: closing the log ends the fifo, which ends the reader.
      if (producerDone) closing ??= log.close();
    }
    await closing;
    const result = await producer;
    assert.equal(result.exitCode, 0);
    assert.ok(log.stalls > 0, 'the producer was asked to wait');
    // The file's buffer (1 MiB) plus at most one chunk of the pipe: not the whole 8 MiB.
    assert.ok(maxBuffered < 2 * 1024 * 1024, `buffered up to ${maxBuffered} bytes`);
    assert.ok(reads > 10);
    const written = Buffer.concat(received).toString('utf8').split('\n').filter(Boolean);
    assert.equal(written.length, lines.length);
    assert.deepEqual(
      written.map((l) => l.replace(/^\S+ /, '')),
      lines,
    );
  });
});

describe('StepLog: a secret split across chunks', () => {
  const secret = 'Zq7Rw2Tq9Mx8Q3kZp7Rw2Tq9';
  const dir = testDir('rg-test-steplog-split-');
  // Short lines (cut inside a line) and a line longer than the 64 KiB pending cap (flushed
  // before its end: the part kept back must hold the secret whole).
  const cases: { name: string; text: string }[] = [
    { name: 'a short line', text: `token=${secret} ok\n` },
    { name: 'the end of a 70 KiB line', text: `${'x'.repeat(70 * 1024 - 40)} ${secret} tail\n` },
    { name: 'a 70 KiB line at the flush point', text: `${'y'.repeat(64 * 1024 - 520)}-${secret}-${'y'.repeat(8 * 1024)}\n` },
  ];
  for (const c of cases) {
    it(`redacts it in ${c.name}, cut at every position of the secret`, async () => {
      const at = c.text.indexOf(secret);
      for (let cut = at; cut <= at + secret.length; cut++) {
        const redactor = new Redactor();
        redactor.addSecret(secret);
        const path = join(dir, `split-${cut}.log`);
        const log = new StepLog(path, redactor, silent, 'split', 'w');
        log.write(Buffer.from(c.text.slice(0, cut)));
        log.write(Buffer.from(c.text.slice(cut)));
        await log.close();
        const written = readFileSync(path, 'utf8');
        assert.ok(!written.includes(secret.slice(0, 12)), `cut at ${cut - at}: part of the secret written`);
        assert.ok(written.includes('[REDACTED]'), `cut at ${cut - at}: nothing redacted`);
      }
    });
  }
});

describe('StepLog: a long line flushed before its end', () => {
  it('never cuts through a secret: the part kept back holds it whole', async () => {
    const secret = 'Zq7Rw2Tq9Mx8Q3kZp7Rw2Tq9';
    const dir = testDir('rg-test-steplog-flush-');
    // Glued to word characters on both sides (no partial-echo rule can catch a piece), and
    // placed so that the flush of the first chunk (keep the last 512) falls inside it.
    for (const after of [500, 505, 510]) {
      const redactor = new Redactor();
      redactor.addSecret(secret);
      const path = join(dir, `flush-${after}.log`);
      const log = new StepLog(path, redactor, silent, 'flush', 'w');
      log.write(`${'x'.repeat(66 * 1024)}${secret}${'z'.repeat(after)}`);
      log.write(`${'z'.repeat(100)}\n`);
      await log.close();
      const written = readFileSync(path, 'utf8');
      assert.ok(!written.includes(secret.slice(0, 8)) && !written.includes(secret.slice(-8)), `${after} after: part of the secret written`);
      assert.equal(written.split('[REDACTED]').length, 2, `${after} after: redacted once`);
    }
  });
});

describe('StepLog: one command output captured at a time', () => {
  it("keeps a command's last line without a newline in its own capture, not glued onto the next output", async () => {
    const dir = testDir('rg-test-steplog-');
    const log = new StepLog(join(dir, 'probe.log'), new Redactor(), silent, 'probe', 'w');
    const first = log.capture();
    log.write('rows 3\nsum abc');
    assert.deepEqual(first(), ['rows 3', 'sum abc']);
    const second = log.capture();
    log.write('rows 3\nsum def');
    assert.deepEqual(second(), ['rows 3', 'sum def']);
    await log.close();
    assert.match(readFileSync(join(dir, 'probe.log'), 'utf8'), /sum abc\n.*rows 3\n.*sum def\n$/);
  });
});
