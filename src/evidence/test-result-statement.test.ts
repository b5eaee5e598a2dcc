import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { RunManifest } from '../model/manifest.js';
import type { CriterionResult, RunResult } from '../model/run-result.js';
import { outcomeOf, sortCriteria, subjectsOf, testResultStatement, TEST_RESULT_PREDICATE_TYPE } from './test-result-statement.js';

const HEX = (c: string) => c.repeat(64);
const criterion = (id: string, extra: Partial<CriterionResult> = {}): CriterionResult => ({ id, title: id.toUpperCase(), passed: true, detail: '', logs: [], ...extra });
const run = (extra: Partial<RunResult> = {}): RunResult =>
  ({ verdict: 'passed', complete: true, deviations: [], switches: { KORRIGO_LOCKS: 'on' }, criteria: [criterion('stability')], ...extra }) as RunResult;
const source = (dirty = false): RunManifest['source'] => ({ root: '/src/app', git: { commit: 'c'.repeat(40), dirty, changedFiles: dirty ? 1 : 0 } });
const config: RunManifest['config'] = { file: '/src/app/release-gate.yml', fileSha256: HEX('f'), resolvedSha256: HEX('r') };

describe('the test-result statement', () => {
  const outcomes: [string, Partial<RunResult>, string][] = [
    ['a green complete run is PASSED', {}, 'PASSED'],
    ['a failed run is FAILED', { verdict: 'failed', criteria: [criterion('stability', { passed: false })] }, 'FAILED'],
    ['a run past its deadline is FAILED', { verdict: 'timedout' }, 'FAILED'],
    ['an interrupted run is FAILED', { verdict: 'interrupted' }, 'FAILED'],
    ['a green partial run is WARNED', { complete: false, deviations: ['--skip clean,A'] }, 'WARNED'],
    ['a green run with a deviation is WARNED', { deviations: ['stability window 5s (config: 180s)'] }, 'WARNED'],
    ['a green run with an n/a criterion is WARNED', { criteria: [criterion('stability'), criterion('clean', { notApplicable: true })] }, 'WARNED'],
  ];
  for (const [name, extra, expected] of outcomes) {
    it(name, () => {
      const r = run(extra);
      assert.equal(outcomeOf(r, sortCriteria(r.criteria)), expected);
    });
  }

  it('sorts criteria into passed, failed and warned (never an unjudged one in passedTests)', () => {
    const lists = sortCriteria([
      criterion('stability'),
      criterion('logs', { passed: false }),
      criterion('clean', { passed: false, notSelected: true }),
      criterion('build', { passed: false, notApplicable: true }),
      criterion('e2e', { passed: false, notJudged: true }),
    ]);
    assert.deepEqual(lists, { passedTests: ['stability'], failedTests: ['logs'], warnedTests: ['clean (not selected)', 'build (n/a)', 'e2e (not judged)'] });
  });

  it('takes the image ids and registry digests of compose/swarm as subjects, and the commit of a clean tree', () => {
    const stack: RunManifest['stack'] = {
      driver: 'compose',
      engine: { name: 'docker' },
      services: [
        { name: 'web', image: 'shop-web', imageId: `sha256:${HEX('a')}`, repoDigests: [`registry.example/shop/web@sha256:${HEX('b')}`] },
        { name: 'web', image: 'shop-web', imageId: `sha256:${HEX('a')}`, repoDigests: [] },
        { name: 'db', note: 'no container: nothing ran' },
      ],
    };
    assert.deepEqual(subjectsOf({ stack, source: source(), summarySha256: HEX('s') }), [
      { name: 'shop-web', digest: { sha256: HEX('a') }, annotations: { kind: 'image-id', service: 'web' } },
      { name: 'registry.example/shop/web', digest: { sha256: HEX('b') }, annotations: { kind: 'repo-digest', service: 'web' } },
      { name: 'source', digest: { gitCommit: 'c'.repeat(40) }, annotations: { kind: 'git-commit' } },
    ]);
  });

  it('takes the local build outputs as subjects; a dirty tree is not its commit', () => {
    const stack: RunManifest['stack'] = {
      driver: 'local',
      engine: { name: 'local' },
      services: [{ name: 'api', buildOutputs: [{ path: 'dist', sha256: HEX('d'), files: 3 }, { path: 'missing', sha256: null, files: 0 }] }],
    };
    assert.deepEqual(subjectsOf({ stack, source: source(true), summarySha256: HEX('s') }), [
      { name: 'api/dist', digest: { sha256: HEX('d') }, annotations: { kind: 'build-output', service: 'api' } },
    ]);
  });

  it('speaks of the run summary when nothing tested has a digest (in-toto wants one subject)', () => {
    const stack: RunManifest['stack'] = { driver: 'external', error: 'the external driver cannot tell what ran (no provenance)' };
    assert.deepEqual(subjectsOf({ stack, source: { root: '/x', git: null }, summarySha256: HEX('s') }), [
      { name: 'summary.json', digest: { sha256: HEX('s') }, annotations: { kind: 'run-summary' } },
    ]);
  });

  it('has the spec fields: result, configuration (file and resolved config with the switches), the three lists', () => {
    const stack: RunManifest['stack'] = { driver: 'local', engine: { name: 'local' }, services: [] };
    const s = testResultStatement({ result: run({ criteria: [criterion('stability'), criterion('logs', { passed: false })], verdict: 'failed' }), config, source: source(), stack, summarySha256: HEX('s') });
    assert.equal(s._type, 'https://in-toto.io/Statement/v1');
    assert.equal(s.predicateType, TEST_RESULT_PREDICATE_TYPE);
    assert.equal(TEST_RESULT_PREDICATE_TYPE, 'https://in-toto.io/attestation/test-result/v0.1');
    assert.deepEqual(Object.keys(s.predicate).sort(), ['configuration', 'failedTests', 'passedTests', 'result', 'warnedTests']);
    assert.equal(s.predicate.result, 'FAILED');
    assert.deepEqual(s.predicate.configuration, [
      { name: 'release-gate.yml', digest: { sha256: HEX('f') } },
      { name: 'release-gate.yml (resolved)', digest: { sha256: HEX('r') }, annotations: { switches: { KORRIGO_LOCKS: 'on' }, complete: true, deviations: [], driver: 'local' } },
    ]);
    assert.deepEqual([s.predicate.passedTests, s.predicate.failedTests], [['stability'], ['logs']]);
  });
});
