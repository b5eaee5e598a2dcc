import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { growthPct, parseByteSize, percentSchema, writtenByteSize } from './byte-size.js';

describe('byte sizes and percentages as a config writes them', () => {
  it('reads binary and decimal units as they say, a bare M/G as binary (Compose), and bytes', () => {
    assert.equal(parseByteSize('512MiB'), 512 * 1024 ** 2);
    assert.equal(parseByteSize('1.5GB'), 1.5e9);
    assert.equal(parseByteSize('300M'), 300 * 1024 ** 2);
    assert.equal(parseByteSize('2g'), 2 * 1024 ** 3);
    assert.equal(parseByteSize('4096'), 4096);
    assert.equal(parseByteSize(4096), 4096);
    for (const bad of ['', 'MiB', '12 parsecs', '-1MiB', '1,5GB']) assert.equal(parseByteSize(bad), null, bad);
  });

  it('keeps a size as written with its bytes, and refuses zero and nonsense with what it expects', () => {
    assert.deepEqual(writtenByteSize().parse('500MiB'), { text: '500MiB', bytes: 500 * 1024 ** 2 });
    assert.throws(() => writtenByteSize().parse('0'), /more than 0 bytes/);
    assert.throws(() => writtenByteSize().parse('big'), /expected a size such as 512MiB/);
    assert.equal(percentSchema().parse('10%'), 10);
    assert.equal(percentSchema().parse('2.5 %'), 2.5);
    assert.throws(() => percentSchema().parse('10'), /expected a percentage such as 10%/);
    assert.ok(z.toJSONSchema(writtenByteSize(), { io: 'input' }));
  });

  it('growth in percent to 0.1, null without a figure to grow from', () => {
    assert.equal(growthPct(110, 100), 10);
    assert.equal(growthPct(90, 100), -10);
    assert.equal(growthPct(100.04, 100), 0);
    assert.equal(growthPct(100, null), null);
    assert.equal(growthPct(100, 0), null);
  });
});
