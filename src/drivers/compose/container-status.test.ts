import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { JsonLineSplitter, toServiceStatus, toStackEvent, type EngineEvent } from './container-status.js';

describe('toServiceStatus', () => {
  it('reports a container restarted by its policy with its restart count, running again', () => {
    const s = toServiceStatus('worker', {
      RestartCount: 1,
      State: { Status: 'running', ExitCode: 0, OOMKilled: false, StartedAt: '2026-01-02T03:04:05.123Z', FinishedAt: '2026-01-02T03:04:04Z' },
    });
    assert.deepEqual(s, {
      name: 'worker',
      state: 'running',
      health: 'none',
      restartCount: 1,
      oomKilled: false,
      exitCode: null,
      startedAt: new Date('2026-01-02T03:04:05.123Z'),
    });
  });
  it('keeps exitCode null while the container never exited', () => {
    const s = toServiceStatus('db', { State: { Status: 'running', ExitCode: 0, StartedAt: '2026-01-02T03:04:05Z', FinishedAt: '0001-01-01T00:00:00Z', Health: { Status: 'healthy' } } });
    assert.equal(s.exitCode, null);
    assert.equal(s.health, 'healthy');
  });
  const states: { engine: string | undefined; want: string }[] = [
    { engine: 'created', want: 'created' },
    { engine: 'restarting', want: 'restarting' },
    { engine: 'exited', want: 'exited' },
    { engine: 'dead', want: 'dead' },
    { engine: 'removing', want: 'exited' },
    { engine: 'paused', want: 'paused' },
    { engine: undefined, want: 'unknown' },
  ];
  for (const c of states) {
    it(`maps engine state ${String(c.engine)} to ${c.want}`, () => {
      assert.equal(toServiceStatus('x', { State: { ...(c.engine ? { Status: c.engine } : {}) } }).state, c.want);
    });
  }
  it('keeps the exit code of a container waiting to be restarted', () => {
    const s = toServiceStatus('x', { RestartCount: 2, State: { Status: 'restarting', ExitCode: 1, FinishedAt: '2026-01-02T03:04:05Z' } });
    assert.equal(s.exitCode, 1);
  });
  it('reports OOM kills and exit codes', () => {
    const s = toServiceStatus('x', { State: { Status: 'exited', ExitCode: 137, OOMKilled: true, FinishedAt: '2026-01-02T03:04:05Z' } });
    assert.equal(s.oomKilled, true);
    assert.equal(s.exitCode, 137);
  });
});

describe('toStackEvent', () => {
  const svc = (a: Record<string, string>) => a['com.docker.compose.service'];
  const ev = (action: string, attrs: Record<string, string> = {}): EngineEvent => ({
    Type: 'container',
    Action: action,
    timeNano: 1_767_322_000_123_000_000,
    Actor: { ID: 'abcdef0123456789', Attributes: { 'com.docker.compose.service': 'backend', name: 'p-backend-1', ...attrs } },
  });
  it('maps die with its exit code', () => {
    assert.deepEqual(toStackEvent(ev('die', { exitCode: '3' }), svc), {
      at: new Date(1_767_322_000_123),
      service: 'backend',
      kind: 'die',
      exitCode: 3,
      detail: 'p-backend-1',
    });
  });
  const kinds: { action: string; kind: string | null; health?: string }[] = [
    { action: 'start', kind: 'start' },
    { action: 'restart', kind: 'restart' },
    { action: 'oom', kind: 'oom' },
    { action: 'health_status: unhealthy', kind: 'health', health: 'unhealthy' },
    { action: 'health_status: healthy', kind: 'health', health: 'healthy' },
    { action: 'pause', kind: 'pause' },
    { action: 'unpause', kind: 'unpause' },
    { action: 'kill', kind: 'kill' },
    { action: 'stop', kind: 'stop' },
    { action: 'exec_start: sh -c true', kind: null },
    { action: 'create', kind: null },
  ];
  for (const c of kinds) {
    it(`maps "${c.action}" to ${String(c.kind)}`, () => {
      const out = toStackEvent(ev(c.action), svc);
      assert.equal(out?.kind ?? null, c.kind);
      if (c.health) assert.equal(out?.health, c.health);
    });
  }
  it('keeps the signal of a kill', () => {
    assert.equal(toStackEvent(ev('kill', { signal: '15' }), svc)?.signal, '15');
  });
  it('drops events of containers without a service', () => {
    assert.equal(toStackEvent(ev('die'), () => undefined), null);
  });
  it('drops non-container events', () => {
    assert.equal(toStackEvent({ ...ev('create'), Type: 'network' }, svc), null);
  });
});

describe('JsonLineSplitter', () => {
  it('keeps a partial line for the next chunk', () => {
    const s = new JsonLineSplitter();
    assert.deepEqual(s.push('{"a":1}\n{"b"'), [{ a: 1 }]);
    assert.deepEqual(s.push(':2}\n\n'), [{ b: 2 }]);
  });
});
