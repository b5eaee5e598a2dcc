import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { ComposeContainers } from './compose-containers.js';
import { CONTAINER_NUMBER_LABEL, PROJECT_LABEL, SERVICE_LABEL } from './compose-project.js';

/** An engine of `n` running containers (s0…), counting the calls the driver makes; `health` is what inspect answers. */
function fakeEngine(n: number) {
  const health = new Map<string, string>();
  const calls = { list: 0, inspect: new Map<string, number>(), eventFilters: [] as unknown[] };
  const events = new PassThrough();
  const ids = Array.from({ length: n }, (_, i) => `id${i}`);
  for (const id of ids) health.set(id, 'starting');
  const labels = (i: number) => ({ [PROJECT_LABEL]: 'p', [SERVICE_LABEL]: `s${i}`, [CONTAINER_NUMBER_LABEL]: '1' });
  const docker = {
    listContainers: async () => {
      calls.list++;
      return ids.map((id, i) => ({ Id: id, Names: [`/p-s${i}-1`], Labels: labels(i), State: 'running', Status: 'Up' }));
    },
    getContainer: (id: string) => ({
      inspect: async () => {
        calls.inspect.set(id, (calls.inspect.get(id) ?? 0) + 1);
        return { RestartCount: 0, State: { Status: 'running', Health: { Status: health.get(id) }, StartedAt: '2026-01-01T00:00:00Z' } };
      },
    }),
    getEvents: async (opts: { filters: unknown }) => {
      calls.eventFilters.push(opts.filters);
      return events;
    },
  } as unknown as Docker;
  const healthy = (i: number) => {
    health.set(`id${i}`, 'healthy');
    const event = { Type: 'container', Action: 'health_status: healthy', Actor: { ID: `id${i}`, Attributes: { ...labels(i), name: `p-s${i}-1` } }, time: 1 };
    events.write(JSON.stringify(event) + '\n');
  };
  const inspects = () => [...calls.inspect.values()].reduce((a, b) => a + b, 0);
  return { docker, calls, healthy, inspects };
}

const names = (n: number) => Array.from({ length: n }, (_, i) => `s${i}`);

describe('ComposeContainers.services during a watch', () => {
  it('after one full read, asks the engine only about the container an event named', async () => {
    const engine = fakeEngine(40);
    const containers = new ComposeContainers(engine.docker, 'p', undefined);
    const seen: string[] = [];
    const stop = await containers.watch((e) => seen.push(`${e.service} ${e.health}`));
    try {
      await containers.services(names(40), new Set());
      assert.equal(engine.inspects(), 40, 'the first read inspects every container');
      assert.equal(engine.calls.list, 1);
      // Polled with nothing new: no call at all.
      for (let i = 0; i < 5; i++) await containers.services(names(40), new Set());
      assert.equal(engine.inspects(), 40);
      assert.equal(engine.calls.list, 1);
      engine.healthy(7);
      await new Promise((r) => setImmediate(r));
      const after = await containers.services(names(40), new Set());
      assert.equal(after.find((s) => s.name === 's7')?.health, 'healthy');
      assert.equal(engine.inspects(), 41, 'one inspect more: the container of the event');
      assert.equal(engine.calls.inspect.get('id7'), 2);
      assert.equal(engine.calls.list, 2);
      assert.deepEqual(seen, ['s7 healthy']);
    } finally {
      stop();
    }
    // The watch is gone: every read asks the engine again.
    await containers.services(names(40), new Set());
    assert.equal(engine.inspects(), 81);
  });

  it('asks the engine for container events of the project only, of the actions the gate reads', async () => {
    const engine = fakeEngine(1);
    const containers = new ComposeContainers(engine.docker, 'p', undefined);
    const stop = await containers.watch(() => undefined);
    stop();
    const filters = engine.calls.eventFilters[0] as { type: string[]; label: string[]; event: string[] };
    assert.deepEqual(filters.type, ['container']);
    assert.deepEqual(filters.label, [`${PROJECT_LABEL}=p`]);
    assert.ok(filters.event.includes('health_status') && filters.event.includes('pause') && filters.event.includes('unpause'), JSON.stringify(filters));
    assert.ok(!filters.event.some((e) => e.startsWith('exec_')), 'a healthcheck exec is not an event the gate reads');
  });
});
