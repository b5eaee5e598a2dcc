import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { HealthPoll, healthFromStatus } from './health-poll.js';

describe('healthFromStatus', () => {
  const table: { status: string; health: string | null }[] = [
    { status: 'Up 5 minutes (healthy)', health: 'healthy' },
    { status: 'Up 2 seconds (health: starting)', health: 'starting' },
    { status: 'Up 40 seconds (unhealthy)', health: 'unhealthy' },
    { status: 'Up 10 seconds (Paused)', health: null },
    { status: 'Up 3 hours', health: 'none' },
    { status: 'Exited (137) 5 seconds ago', health: 'none' },
  ];
  for (const c of table) it(`reads "${c.status}" as ${String(c.health)}`, () => assert.equal(healthFromStatus(c.status), c.health));
});

describe('HealthPoll', () => {
  const at = new Date(0);
  it('reports a change no event told, marked as read by poll, once', () => {
    const poll = new HealthPoll();
    assert.deepEqual(poll.diff([{ name: 'p-web-1', service: 'web', health: 'healthy' }], at), []);
    const events = poll.diff([{ name: 'p-web-1', service: 'web', health: 'unhealthy' }], at);
    assert.deepEqual(events, [{ at, service: 'web', kind: 'health', health: 'unhealthy', detail: 'p-web-1, read by poll: no engine event' }]);
    assert.deepEqual(poll.diff([{ name: 'p-web-1', service: 'web', health: 'unhealthy' }], at), []);
  });

  it('stays silent about a change an engine event already told', () => {
    const poll = new HealthPoll();
    poll.diff([{ name: 'p-web-1', service: 'web', health: 'starting' }], at);
    poll.noteEvent({ at, service: 'web', kind: 'health', health: 'healthy', detail: 'p-web-1' });
    assert.deepEqual(poll.diff([{ name: 'p-web-1', service: 'web', health: 'healthy' }], at), []);
  });

  it('reports a container first seen unhealthy', () => {
    assert.equal(new HealthPoll().diff([{ name: 'p-db-1', service: 'db', health: 'unhealthy' }], at).length, 1);
  });
});
