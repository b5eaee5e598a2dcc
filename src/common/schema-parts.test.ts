import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { durationMs, durationSchema, writtenDuration } from './schema-parts.js';

const messages = (result: { success: boolean; error?: z.ZodError }) => result.error?.issues.map((i) => i.message) ?? [];

describe('durations read at load', () => {
  const cases: [unknown, number][] = [
    ['500ms', 500],
    ['30s', 30_000],
    ['1m30s', 90_000],
    [2, 2000],
  ];
  for (const [input, ms] of cases) {
    it(`reads ${JSON.stringify(input)} as ${ms} ms`, () => assert.equal(durationMs().parse(input), ms));
  }

  it('reads its default as written, like a value: the default is stated once, in the schema', () => {
    const schema = z.strictObject({ interval: durationMs({ min: 1, default: '100ms' }) });
    assert.deepEqual(schema.parse({}), { interval: 100 });
    assert.deepEqual(schema.parse({ interval: '2s' }), { interval: 2000 });
  });

  it('refuses what durationSchema refuses, with the same messages', () => {
    const bounds = { min: 1, max: 60_000 };
    for (const input of ['soon', '10 s', -1, '0s', '2m', [1]]) {
      assert.deepEqual(messages(durationMs(bounds).safeParse(input)), messages(durationSchema(bounds).safeParse(input)), JSON.stringify(input));
      assert.equal(durationMs(bounds).safeParse(input).success, false, JSON.stringify(input));
    }
    assert.deepEqual(messages(durationMs(bounds).safeParse('2m')), ['must be at most 1m00s']);
    assert.deepEqual(messages(durationMs().safeParse('soon')), ['expected a duration such as 500ms, 30s, 3m or a number of seconds']);
  });

  it('keeps the text as written beside the ms for a duration a title shows', () => {
    assert.deepEqual(writtenDuration({ default: '180s' }).parse(undefined), { text: '180s', ms: 180_000 });
    assert.deepEqual(writtenDuration().parse('3m'), { text: '3m', ms: 180_000 });
    assert.deepEqual(writtenDuration().parse(5), { text: '5', ms: 5000 });
  });

  it('describes the input in the JSON Schema: a duration string or seconds, its default as written', () => {
    const schema = z.strictObject({ window: writtenDuration({ default: '180s' }), interval: durationMs({ default: '100ms' }) });
    const json = z.toJSONSchema(schema, { io: 'input' }) as { properties: Record<string, { type?: unknown; default?: unknown }> };
    assert.deepEqual(json.properties['window'], { ...json.properties['window'], type: ['string', 'number'], default: '180s' });
    assert.deepEqual(json.properties['interval']?.default, '100ms');
  });
});
