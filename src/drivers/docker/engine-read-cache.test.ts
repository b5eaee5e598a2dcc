import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { EngineReadCache } from './engine-read-cache.js';

/** A fetch counting its calls, answering the count. */
function counter(): { fetch: () => Promise<number>; calls: () => number } {
  let n = 0;
  return { fetch: async () => ++n, calls: () => n };
}

describe('EngineReadCache', () => {
  it('asks the engine every time while no event stream is open', async () => {
    const cache = new EngineReadCache();
    const c = counter();
    await cache.read('k', c.fetch);
    await cache.read('k', c.fetch);
    assert.equal(c.calls(), 2);
  });

  it('keeps an answer while a stream is open, until an event names its key', async () => {
    const cache = new EngineReadCache();
    cache.attach();
    const c = counter();
    assert.equal(await cache.read('k', c.fetch), 1);
    assert.equal(await cache.read('k', c.fetch), 1);
    cache.invalidate('other');
    assert.equal(await cache.read('k', c.fetch), 1);
    cache.invalidate('k');
    assert.equal(await cache.read('k', c.fetch), 2);
    cache.invalidateAll();
    assert.equal(await cache.read('k', c.fetch), 3);
  });

  it('does not keep an answer an event overtook while it was asked', async () => {
    const cache = new EngineReadCache();
    cache.attach();
    let n = 0;
    const racing = async () => {
      n++;
      cache.invalidate('k'); // the event arrives while the inspect is on its way
      return n;
    };
    await cache.read('k', racing);
    await cache.read('k', racing);
    assert.equal(n, 2);
  });

  it('asks the engine again once the stream ended', async () => {
    const cache = new EngineReadCache();
    const detach = cache.attach();
    const c = counter();
    await cache.read('k', c.fetch);
    detach();
    detach(); // once only: a second end must not detach another stream
    await cache.read('k', c.fetch);
    await cache.read('k', c.fetch);
    assert.equal(c.calls(), 3);
  });
});
