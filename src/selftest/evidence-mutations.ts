import type {
  BootInput,
  ExitCodeInput,
  HttpAnswerInput,
  IdempotenceInput,
  JudgeInput,
  JudgeName,
  Judgement,
  LogScanInput,
  OutputInput,
  ScenarioInput,
  TestReportInput,
} from '../checks/judges.js';
import { scanLines } from '../checks/log-scan.js';
import type { StabilityInput } from '../checks/stability-verdict.js';

/** One defect injected into one judgement's recorded input. */
export interface EvidenceMutation {
  /** What was broken, in words: `a skipped testcase added to the report`. */
  label: string;
  input: unknown;
  /** The criterion it must fail, when not the step's own (a scenario step tagged `annotation`). */
  target?: string;
  /** Criteria that may fail with it: a 400 on the annotation step fails the E2E too. */
  alsoFails?: string[];
}

/** Mutations of a judgement, or why none can be built (the criterion is then not proven). */
export type MutationPlan = { mutations: EvidenceMutation[] } | { none: string };

const clone = <T>(value: T): T => structuredClone(value);

/** The injected defects, one builder per judge: each makes the evidence what a broken release leaves. */
const builders: { [N in JudgeName]: (input: JudgeInput<N>, judgement: Judgement<N>, ownCriterion: string | undefined) => MutationPlan } = {
  'exit-code': (input: ExitCodeInput) => {
    if (input.testRun) return { none: `no test report parsed; a skipped test would not be seen (the output holds ${input.testRun}, judged by the exit code only: add results: { junit: … })` };
    const code = input.expected === 1 ? 2 : 1;
    return { mutations: [{ label: `the command exits ${code} (expected ${input.expected})`, input: { ...input, exitCode: code } }] };
  },
  output: (input: OutputInput) => mutateOutput(input),
  tests: (input: TestReportInput) => {
    const skipped = clone(input);
    skipped.report.total++;
    skipped.report.skipped++;
    skipped.report.skippedIds.push('release_gate_selftest::injected_skip');
    skipped.report.cases = [...(skipped.report.cases ?? []), { id: 'release_gate_selftest::injected_skip', status: 'skipped', message: 'injected by selftest' }];
    const failed = clone(input);
    failed.report.total++;
    failed.report.failed++;
    failed.report.failingIds.push('release_gate_selftest::injected_failure');
    failed.report.cases = [...(failed.report.cases ?? []), { id: 'release_gate_selftest::injected_failure', status: 'failed', message: 'injected by selftest' }];
    return {
      mutations: [
        { label: 'a skipped testcase added to the report', input: skipped },
        { label: 'a failed testcase added to the report', input: failed },
      ],
    };
  },
  idempotence: (input: IdempotenceInput) => ({
    mutations: [{ label: 'the second probe output changed (one line added)', input: { ...input, after: { ...input.after, output: `${input.after.output}\nrelease-gate selftest: injected change` } } }],
  }),
  'log-scan': (input: LogScanInput) => {
    const line = unallowedLine(input);
    if (!line) return { none: `no line could be built that the scan patterns flag and allow does not excuse (patterns: ${input.patterns.join(', ')})` };
    return { mutations: [{ label: `an unallowed line added to the captured logs: "${line}"`, input: { ...input, lines: [...input.lines, line] } }] };
  },
  'http-answer': (input: HttpAnswerInput) => {
    if (!input.answer) return { none: 'no answer was recorded' };
    const status = [503, 500, 400, 404].find((s) => !input.statuses.includes(s)) as number;
    const mutations: EvidenceMutation[] = [{ label: `HTTP ${status} instead of ${input.answer.status}`, input: { ...input, answer: { ...input.answer, status } } }];
    if (input.expect) {
      // The classic false green: the proxy's SPA page, 200 text/html, where the endpoint was expected.
      const html = { status: input.answer.status, contentType: 'text/html; charset=utf-8', body: '<!doctype html><html><body><div id="app"></div></body></html>\n' };
      mutations.push({ label: `HTTP ${input.answer.status} with an HTML page instead of the expected content`, input: { ...input, answer: html } });
    }
    return { mutations };
  },
  boot: (input: BootInput) => {
    const first = input.services.find((s) => !s.oneShot) ?? input.services[0];
    if (!first) return { none: 'no service was recorded' };
    const exited = clone(input);
    Object.assign(exited.services.find((s) => s.name === first.name) as object, { state: 'exited', exitCode: 1 });
    const restarted = clone(input);
    Object.assign(restarted.services.find((s) => s.name === first.name) as object, { restarts: 1 });
    return {
      mutations: [
        { label: `service ${first.name} not ready (exited 1)`, input: exited },
        { label: `service ${first.name} restarted once before the check`, input: restarted },
      ],
    };
  },
  stability: (input: StabilityInput) => {
    const service = input.services.find((s) => !s.oneShot && !input.oneShot.includes(s.name)) ?? input.services[0];
    if (!service) return { none: 'no service was recorded' };
    const at = new Date(Date.parse(input.at) - 1000).toISOString();
    const withEvent = clone(input);
    withEvent.events.push({ at, service: service.name, kind: 'restart', detail: 'injected by selftest' });
    withEvent.services = withEvent.services.map((s) => (s.name === service.name ? { ...s, restartCount: s.restartCount + 1 } : s));
    const counterOnly = clone(input);
    counterOnly.services = counterOnly.services.map((s) => (s.name === service.name ? { ...s, restartCount: s.restartCount + 1 } : s));
    const died = clone(input);
    died.events.push({ at, service: service.name, kind: 'die', exitCode: 137, detail: 'injected by selftest' });
    const paused = clone(input);
    paused.events.push({ at: new Date(Date.parse(input.at) - 3000).toISOString(), service: service.name, kind: 'pause', detail: 'injected by selftest' });
    paused.events.push({ at, service: service.name, kind: 'unpause', detail: 'injected by selftest' });
    return {
      mutations: [
        { label: `a restart of ${service.name} in the timeline`, input: withEvent },
        { label: `${service.name}'s restart counter up by 1 with no event (a missed event)`, input: counterOnly },
        { label: `${service.name} killed (exit 137) in the timeline`, input: died },
        { label: `${service.name} paused for 2s (docker pause) in the timeline`, input: paused },
      ],
    };
  },
  scenario: (input: ScenarioInput, _judgement, own) => {
    const mutations: EvidenceMutation[] = [];
    for (const criterion of input.tagged) {
      const index = input.executions.findIndex((e) => e.criterion === criterion && e.status !== undefined);
      if (index < 0) continue;
      mutations.push({ ...badStatus(input, index), target: criterion, ...(own && own !== criterion ? { alsoFails: [own] } : {}) });
    }
    const plain = input.executions.findIndex((e) => e.where.startsWith('run ') && e.criterion === undefined && e.status !== undefined);
    if (plain >= 0) mutations.push(badStatus(input, plain));
    return mutations.length ? { mutations } : { none: 'no HTTP answer was recorded in a run' };
  },
};

function badStatus(input: ScenarioInput, index: number): EvidenceMutation {
  const execution = input.executions[index] as ScenarioInput['executions'][number];
  const expected = execution.expected ?? null;
  const status = [400, 500, 404, 403].find((s) => !(expected ?? []).includes(s)) as number;
  const mutated = clone(input);
  (mutated.executions[index] as ScenarioInput['executions'][number]).status = status;
  return { label: `${execution.where} ${execution.step}: HTTP ${status} instead of ${execution.status}`, input: mutated };
}

/** The mutations of one recorded judgement; `ownCriterion`: the criterion of the step that made it. */
export function mutationsOf(judgement: Judgement, ownCriterion: string | undefined): MutationPlan {
  const build = builders[judgement.judge] as (input: unknown, j: Judgement, own: string | undefined) => MutationPlan;
  return build(judgement.input, judgement, ownCriterion);
}

function mutateOutput(input: OutputInput): MutationPlan {
  const e = input.expectation;
  const mutations: EvidenceMutation[] = [];
  if (e.eachMatch !== undefined) {
    const re = new RegExp(e.eachMatch, 'd');
    const numeric = e.greaterThan !== undefined || e.lessThan !== undefined || e.equals !== undefined;
    const line = input.lines.find((l) => re.test(l));
    if (numeric && line !== undefined) {
      const m = re.exec(line) as RegExpExecArray;
      const span = m.indices?.groups?.['value'] ?? m.indices?.[1];
      const value = e.greaterThan !== undefined ? e.greaterThan : e.lessThan !== undefined ? e.lessThan : (e.equals as number) + 1;
      if (span) {
        const copy = `${line.slice(0, span[0])}${value}${line.slice(span[1])}`;
        mutations.push({ label: `one more line "${copy.trim()}"`, input: { ...input, lines: [...input.lines, copy] } });
      }
    }
    if ((e.atLeast ?? 1) > 0) mutations.push({ label: `no line matches ${e.eachMatch}`, input: { ...input, lines: input.lines.filter((l) => !new RegExp(e.eachMatch as string).test(l)) } });
  }
  const needle = e.contains?.[0];
  if (needle !== undefined) mutations.push({ label: `the output lacks "${needle}"`, input: { ...input, lines: input.lines.filter((l) => !l.includes(needle)) } });
  const unwanted = e.notContains?.[0];
  if (unwanted !== undefined) mutations.push({ label: `the output contains "${unwanted}"`, input: { ...input, lines: [...input.lines, unwanted] } });
  if (e.matches !== undefined) mutations.push({ label: 'the output is empty', input: { ...input, lines: [] } });
  return mutations.length ? { mutations } : { none: 'no output assertion can be broken by editing the output' };
}

/** A line the scan must flag: a pattern's literal text, or a common error line, that no allow pattern excuses. */
function unallowedLine(input: LogScanInput): string | null {
  const literal = (source: string) =>
    source
      .replace(/^\(\?i\)/, '')
      .replace(/\\b|\^|\$/g, '')
      .replace(/\\([^A-Za-z0-9])/g, '$1');
  const candidates = [
    ...input.patterns.map((p) => `release-gate selftest: ${literal(p)} injected`),
    'ERROR release-gate selftest: injected error',
    'CRITICAL release-gate selftest: injected error',
    'Traceback (most recent call last):',
    'FATAL release-gate selftest: injected error',
    // Flagged by its level alone when the scan reads structured levels.
    '{"level":"error","msg":"release-gate selftest: injected error"}',
  ];
  const scan = { patterns: input.patterns, allow: input.allow, structuredLevels: input.structuredLevels };
  return candidates.find((line) => scanLines([line], scan).count === 1) ?? null;
}
