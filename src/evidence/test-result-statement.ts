import { isAbsolute, relative } from 'node:path';
import type { RunManifest } from '../model/manifest.js';
import type { CriterionResult, RunResult } from '../model/run-result.js';
import { STATEMENT_TYPE, type InTotoStatement, type ResourceDescriptor } from './attestation.js';

/*
 * The verdict bound to what was tested: an in-toto Statement v1 with the test-result predicate
 * (https://github.com/in-toto/attestation/blob/main/spec/predicates/test-result.md) whose
 * subjects are the images (or local build outputs) that ran and the commit they came from. A
 * retagged or rebuilt image has another digest, so it is not a subject: it cannot borrow a green.
 */

export const TEST_RESULT_PREDICATE_TYPE = 'https://in-toto.io/attestation/test-result/v0.1';

/** `PASSED`: every criterion judged and green on a complete run; `WARNED`: green, but partial or with criteria not judged; `FAILED`: the gate failed. */
export type TestResultOutcome = 'PASSED' | 'WARNED' | 'FAILED';

/** The test-result predicate v0.1, field names as the spec spells them. */
export interface TestResultPredicate {
  result: TestResultOutcome;
  /** The config file and the resolved config (its annotations: the switches, deviations, driver). */
  configuration: ResourceDescriptor[];
  url?: string;
  passedTests: string[];
  warnedTests: string[];
  failedTests: string[];
}

export type TestResultStatement = InTotoStatement<TestResultPredicate>;

/** What kind of thing a subject is, in its annotations: `verify --image` matches only the image kinds. */
export type SubjectKind = 'image-id' | 'repo-digest' | 'build-output' | 'git-commit' | 'run-summary';
export const IMAGE_SUBJECT_KINDS: readonly SubjectKind[] = ['image-id', 'repo-digest'];

export interface TestResultInputs {
  result: RunResult;
  config: RunManifest['config'];
  source: RunManifest['source'];
  stack: RunManifest['stack'];
  /** sha256 of summary.json: the subject of last resort, when nothing tested has a digest. */
  summarySha256: string | null;
}

/**
 * A criterion that was not judged (not selected by a partial run, not applicable to the target,
 * not reached after another failure) did not pass and did not fail: it goes to `warnedTests`,
 * with why, so a policy asking for it in `passedTests` refuses the run.
 */
function unjudgedReason(c: CriterionResult): string | null {
  if (c.notSelected) return 'not selected';
  if (c.notApplicable) return 'n/a';
  if (c.notJudged) return 'not judged';
  return null;
}

export function sortCriteria(criteria: CriterionResult[]): Pick<TestResultPredicate, 'passedTests' | 'warnedTests' | 'failedTests'> {
  const out = { passedTests: [] as string[], warnedTests: [] as string[], failedTests: [] as string[] };
  for (const c of criteria) {
    const reason = unjudgedReason(c);
    if (reason) out.warnedTests.push(`${c.id} (${reason})`);
    else if (c.passed) out.passedTests.push(c.id);
    else out.failedTests.push(c.id);
  }
  return out;
}

/** PASSED only for a green, complete run with nothing left unjudged (the spec: `warnedTests` and `failedTests` then empty). */
export function outcomeOf(result: RunResult, lists: Pick<TestResultPredicate, 'warnedTests' | 'failedTests'>): TestResultOutcome {
  if (result.verdict !== 'passed' || lists.failedTests.length > 0) return 'FAILED';
  if (!result.complete || result.deviations.length > 0 || lists.warnedTests.length > 0) return 'WARNED';
  return 'PASSED';
}

const hexOf = (digest: string): string | null => /^sha256:([0-9a-f]{64})$/.exec(digest)?.[1] ?? null;

/** Each image id and registry digest, each local build output, the commit when the tree was clean. */
export function subjectsOf(inputs: Pick<TestResultInputs, 'stack' | 'source' | 'summarySha256'>): ResourceDescriptor[] {
  const subjects: ResourceDescriptor[] = [];
  const seen = new Set<string>();
  const add = (d: ResourceDescriptor) => {
    const key = JSON.stringify([d.name, d.digest]);
    if (!seen.has(key)) subjects.push(d);
    seen.add(key);
  };
  const services = 'services' in inputs.stack ? inputs.stack.services : [];
  for (const s of services) {
    const id = s.imageId ? hexOf(s.imageId) : null;
    if (id) add({ name: s.image ?? s.name, digest: { sha256: id }, annotations: { kind: 'image-id', service: s.name } });
    for (const ref of s.repoDigests ?? []) {
      const at = ref.lastIndexOf('@');
      const hex = at > 0 ? hexOf(ref.slice(at + 1)) : null;
      if (hex) add({ name: ref.slice(0, at), digest: { sha256: hex }, annotations: { kind: 'repo-digest', service: s.name } });
    }
    for (const out of s.buildOutputs ?? []) {
      if (out.sha256) add({ name: `${s.name}/${out.path}`, digest: { sha256: out.sha256 }, annotations: { kind: 'build-output', service: s.name } });
    }
  }
  // A dirty tree is not the commit: what was tested had changes the commit does not hold.
  const git = inputs.source.git;
  if (git && !git.dirty) add({ name: 'source', digest: { gitCommit: git.commit }, annotations: { kind: 'git-commit' } });
  // in-toto wants at least one subject: with nothing tested that has a digest (an external
  // target, no git), the statement speaks of this run's summary, which no image can match.
  if (subjects.length === 0 && inputs.summarySha256) add({ name: 'summary.json', digest: { sha256: inputs.summarySha256 }, annotations: { kind: 'run-summary' } });
  return subjects;
}

/** The config file (relative to ROOT when inside it: no home folder in the statement) and the resolved config. */
function configurationOf(inputs: TestResultInputs): ResourceDescriptor[] {
  const { config, result, source } = inputs;
  const rel = relative(source.root, config.file);
  const name = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : config.file;
  const out: ResourceDescriptor[] = [];
  if (config.fileSha256) out.push({ name, digest: { sha256: config.fileSha256 } });
  out.push({
    name: `${name} (resolved)`,
    digest: { sha256: config.resolvedSha256 },
    annotations: { switches: result.switches ?? {}, complete: result.complete, deviations: result.deviations, driver: inputs.stack.driver },
  });
  return out;
}

export function testResultStatement(inputs: TestResultInputs): TestResultStatement {
  const lists = sortCriteria(inputs.result.criteria);
  return {
    _type: STATEMENT_TYPE,
    subject: subjectsOf(inputs),
    predicateType: TEST_RESULT_PREDICATE_TYPE,
    predicate: { result: outcomeOf(inputs.result, lists), configuration: configurationOf(inputs), ...lists },
  };
}
