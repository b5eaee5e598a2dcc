import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../common/fake-clock.fixture.js';
import { KILL_NOT_REACHED } from '../model/live-outcome.js';
import type { HookRun, HookStep, WatchedProblem } from '../model/run-hooks.js';
import type { StepResult } from '../model/run-result.js';
import type { StackDriver, StackEvent } from '../model/stack.js';
import { LiveSelftestHook, credentialListHook, killPoint } from './live-hook.js';

function step(index: number, kind: string, more: Partial<HookStep> = {}): HookStep {
  const traits = { watchesStability: kind === 'stability', probesCredentials: ['wait-http', 'scenario'].includes(kind) };
  return { index, id: `s${index}`, kind, ...traits, logName: `0${index}_${kind}`, always: false, summary: false, selected: true, notApplicable: null, ...more };
}

const PLAN = [step(0, 'up'), step(1, 'stability'), step(2, 'wait-http'), step(3, 'exec'), step(4, 'logs', { always: true }), step(5, 'summary', { summary: true })];
const passed = (s: HookStep): StepResult => ({ id: s.id, phase: 'p', log: `${s.logName}.log`, title: s.kind, status: 'passed', detail: '' });

/** A driver whose one service the watch reports killed once killService is called. */
function fakeRun(clock: FakeClock, opts: { canKill?: boolean } = {}) {
  const problems: WatchedProblem[] = [];
  const listeners = new Set<(event: StackEvent) => void>();
  const said: string[] = [];
  const driver = {
    name: 'fake',
    services: async () => [{ name: 'web', state: 'running', health: 'healthy', restartCount: 0, oomKilled: false }],
    ...(opts.canKill === false
      ? {}
      : {
          killService: async (name: string) => {
            problems.push({ service: name });
            for (const listener of listeners) listener({ service: name, kind: 'die', at: new Date(clock.now()) } as StackEvent);
          },
        }),
  } as unknown as StackDriver;
  const run: HookRun = {
    driver,
    clock,
    watch: async () => ({ problemsSoFar: () => problems, onEvent: (l) => (listeners.add(l), () => listeners.delete(l)) }),
    say: (text) => said.push(text),
  };
  return { run, said };
}

describe('live selftest hook', () => {
  const plans: [string, HookStep[], number | string][] = [
    ['after the last probing step when it follows the watch', PLAN, 2],
    ['after the watch when no probing step follows it', [step(0, 'wait-http'), step(1, 'stability'), step(2, 'exec')], 1],
    ['skipping unselected and not applicable steps', [step(0, 'stability'), step(1, 'scenario', { selected: false }), step(2, 'wait-http', { notApplicable: 'n/a' })], 0],
    ['nowhere without a stability step', [step(0, 'up'), step(1, 'stability', { always: true })], 'no stability step runs: nothing watches for a crash'],
  ];
  for (const [name, plan, expected] of plans) {
    it(`plans the kill ${name}`, () => assert.equal(killPoint(plan), expected));
  }

  it('adds the kill task only after the kill point, and only when that step passed', () => {
    const hook = new LiveSelftestHook();
    hook.onPlan(PLAN);
    assert.deepEqual(hook.outcome.kill, { planned: true, error: KILL_NOT_REACHED });
    const { run } = fakeRun(new FakeClock());
    const at = PLAN[2] as HookStep;
    assert.equal(hook.afterStep(PLAN[1] as HookStep, passed(PLAN[1] as HookStep), run).length, 0);
    assert.equal(hook.afterStep(at, { ...passed(at), status: 'failed' }, run).length, 0);
    assert.deepEqual(hook.afterStep(at, passed(at), run).map((t) => t.title), ['selftest: kill a service']);
  });

  it('kills a running service and records that the watch saw it', async () => {
    const clock = new FakeClock();
    const hook = new LiveSelftestHook();
    hook.onPlan(PLAN);
    const { run, said } = fakeRun(clock);
    const [task] = hook.afterStep(PLAN[2] as HookStep, passed(PLAN[2] as HookStep), run);
    await task?.run(new AbortController().signal);
    assert.deepEqual(hook.outcome.kill, { planned: true, service: 'web', at: new Date(clock.now()).toISOString(), afterStep: '02_wait-http.log', seen: true });
    assert.match(said.join('\n'), /killing service web \(SIGKILL\) during the stability watch, after 02_wait-http/);
  });

  it('says the kill is not applicable on a driver that cannot kill a service', async () => {
    const hook = new LiveSelftestHook();
    hook.onPlan(PLAN);
    const { run } = fakeRun(new FakeClock(), { canKill: false });
    await hook.afterStep(PLAN[2] as HookStep, passed(PLAN[2] as HookStep), run)[0]?.run(new AbortController().signal);
    assert.deepEqual(hook.outcome.kill, { planned: true, notApplicable: 'the fake driver cannot kill a service (it does not own the processes)' });
  });

  it('gives each step a probe sink (live run) or a request list (healthy run)', () => {
    const hook = new LiveSelftestHook();
    hook.stepContext().credentialProbes?.({ log: 'a.log', request: 'GET /m', without: ['x-token'], status: 403 });
    assert.deepEqual(hook.outcome.probes, [{ log: 'a.log', request: 'GET /m', without: ['x-token'], status: 403 }]);
    const listed: string[] = [];
    credentialListHook((r) => listed.push(r.request)).stepContext?.(PLAN[0] as HookStep).credentialRequests?.({ log: 'a.log', request: 'GET /m', without: [] });
    assert.deepEqual(listed, ['GET /m']);
  });
});
