import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GateConfig } from './schema.js';
import type { CriterionResult, StepResult, Verdict } from '../model/run-result.js';
import { evaluateCriteria, type ExtraVerdicts } from './criteria.js';
import { runEndCriterion, type StopPoint } from './not-judged.js';

/* One defect, one red: a criterion the gate never reached reads "not judged", never a second ❌. */

const config = { criteria: { migrations: 'Migrations', seed: 'Seed', tests: 'Tests' } } as unknown as GateConfig;
const step = (id: string, criterion: string, status: StepResult['status'], detail = status === 'passed' ? 'ok' : status): StepResult => ({
  id,
  phase: 'P',
  log: `${id}.log`,
  title: id,
  status,
  detail,
  criterion,
});
const atMigrate: StopPoint = { at: '07_migrate.log', afterMs: 62_000 };

interface Row {
  name: string;
  steps: StepResult[];
  extra?: ExtraVerdicts;
  stop: StopPoint | undefined;
  /** Mark and detail of the Seed line. */
  seed: { mark: '✅' | '❌' | '–'; detail: string | RegExp };
}

const mark = (c: CriterionResult | undefined) => (c?.notJudged ? '–' : c?.passed ? '✅' : '❌');

describe('criteria the gate did not reach', () => {
  const rows: Row[] = [
    {
      name: 'a criterion whose steps were never reached is "not judged", with where and when the gate stopped',
      steps: [step('07_migrate', 'migrations', 'failed', 'exit code 1'), step('08_seed', 'seed', 'not-run', 'not run: the gate stopped at 07_migrate.log')],
      stop: atMigrate,
      seed: { mark: '–', detail: 'not judged: the gate stopped at 07_migrate after 1m02s' },
    },
    {
      name: 'a criterion partly judged before the stop (its first step passed) is "not judged" too',
      steps: [step('06_seed1', 'seed', 'passed'), step('07_migrate', 'migrations', 'failed'), step('08_seed2', 'seed', 'not-run')],
      stop: atMigrate,
      seed: { mark: '–', detail: 'not judged: the gate stopped at 07_migrate after 1m02s' },
    },
    {
      name: 'a problem seen before the stop stays ❌',
      steps: [step('06_seed1', 'seed', 'failed', 'exit code 3'), step('07_migrate', 'migrations', 'failed'), step('08_seed2', 'seed', 'not-run')],
      stop: atMigrate,
      seed: { mark: '❌', detail: 'exit code 3 (06_seed1.log)' },
    },
    {
      name: 'a failed verdict from another step (a scenario\'s tagged step) stays ❌',
      steps: [step('07_migrate', 'migrations', 'failed'), step('08_seed', 'seed', 'not-run')],
      extra: new Map([['seed', [{ passed: false, detail: '1/1 failed', log: '05_e2e.log' }]]]),
      stop: atMigrate,
      seed: { mark: '❌', detail: '1/1 failed (05_e2e.log)' },
    },
    {
      name: 'a criterion with no step at all is "not judged" when the gate stopped',
      steps: [step('07_migrate', 'migrations', 'failed')],
      stop: atMigrate,
      seed: { mark: '–', detail: 'not judged: the gate stopped at 07_migrate after 1m02s' },
    },
    {
      name: 'an interrupt names itself',
      steps: [step('07_migrate', 'migrations', 'passed'), step('08_seed', 'seed', 'not-run')],
      stop: { at: 'interrupted', afterMs: 5_000 },
      seed: { mark: '–', detail: 'not judged: the gate was interrupted after 5.0s' },
    },
    {
      name: 'the deadline names itself',
      steps: [step('07_migrate', 'migrations', 'passed'), step('08_seed', 'seed', 'not-run')],
      stop: { at: 'deadline', afterMs: 600_000 },
      seed: { mark: '–', detail: /^not judged: the gate's deadline passed after 10m/ },
    },
    {
      name: 'without a stop, a step not run stays ❌ (zero tolerance)',
      steps: [step('07_migrate', 'migrations', 'passed'), step('08_seed', 'seed', 'not-run')],
      stop: undefined,
      seed: { mark: '❌', detail: 'not run' },
    },
    {
      name: 'without a stop, a criterion no step gives evidence for stays ❌',
      steps: [step('07_migrate', 'migrations', 'passed')],
      stop: undefined,
      seed: { mark: '❌', detail: 'no step gives evidence for this criterion' },
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const criteria = evaluateCriteria(config, row.steps, row.extra ?? new Map(), row.stop, false);
      const seed = criteria.find((c) => c.id === 'seed');
      assert.equal(mark(seed), row.seed.mark, seed?.detail);
      if (typeof row.seed.detail === 'string') assert.equal(seed?.detail, row.seed.detail);
      else assert.match(seed?.detail ?? '', row.seed.detail);
      assert.equal(seed?.passed, row.seed.mark === '✅');
    });
  }
});

describe('a red run always shows one ❌', () => {
  const judged: CriterionResult = { id: 'seed', title: 'Seed', passed: true, detail: 'ok', logs: [] };
  const notJudged: CriterionResult = { id: 'stability', title: 'Stability', passed: false, notJudged: true, detail: 'not judged: …', logs: [] };
  const failed: CriterionResult = { id: 'tests', title: 'Tests', passed: false, detail: '1 failed', logs: [] };
  const rows: { name: string; verdict: Verdict; criteria: CriterionResult[]; stop?: StopPoint; expected: string | null }[] = [
    { name: 'a deadline that left only not-judged lines gets a ❌ "Run completed"', verdict: 'timedout', criteria: [judged, notJudged], stop: { at: 'deadline', afterMs: 3000 }, expected: "timed out: the gate's deadline passed after 3.0s" },
    { name: 'an interrupt likewise', verdict: 'interrupted', criteria: [notJudged], stop: { at: 'interrupted', afterMs: 1000 }, expected: 'interrupted: the gate was interrupted after 1.0s' },
    { name: 'none when a criterion failed already', verdict: 'failed', criteria: [failed, notJudged], stop: atMigrate, expected: null },
    { name: 'none on a pass', verdict: 'passed', criteria: [judged], expected: null },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const extra = runEndCriterion(row.verdict, row.criteria, row.stop);
      assert.equal(extra?.detail ?? null, row.expected);
      if (extra) assert.deepEqual([extra.title, extra.passed, extra.notJudged], ['Run completed', false, undefined]);
    });
  }
});
