import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { demuxFrames } from './engine-api.js';

const frame = (stream: 1 | 2 | 3, text: string): Buffer => {
  const body = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
};

describe('demuxFrames: a multiplexed logs body → stdout/stderr chunks', () => {
  const cases: { name: string; body: Buffer; want: { stream: string; text: string }[] }[] = [
    { name: 'frames of both streams, in order', body: Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err 1\n'), frame(1, 'out 2\n')]), want: [{ stream: 'stdout', text: 'out 1\n' }, { stream: 'stderr', text: 'err 1\n' }, { stream: 'stdout', text: 'out 2\n' }] },
    { name: 'an empty body', body: Buffer.alloc(0), want: [] },
    { name: 'a TTY body without headers: one stdout chunk', body: Buffer.from('plain text\n'), want: [{ stream: 'stdout', text: 'plain text\n' }] },
    // Stream 3 is the engine's own error (a swarm node not available for a service's logs): told on stderr, not as raw bytes.
    { name: "the engine's error frame (3) goes to stderr", body: Buffer.concat([frame(1, 'out\n'), frame(3, 'Error grabbing logs: node x is not available\n')]), want: [{ stream: 'stdout', text: 'out\n' }, { stream: 'stderr', text: 'Error grabbing logs: node x is not available\n' }] },
    { name: 'a frame cut short keeps what arrived', body: frame(2, 'abcdef').subarray(0, 11), want: [{ stream: 'stderr', text: 'abc' }] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(demuxFrames(c.body).map((f) => ({ stream: f.stream, text: f.chunk.toString() })), c.want));
  }
});
