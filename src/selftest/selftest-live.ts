import { builtinRegistries } from '../config/registries.js';
import { planSteps } from '../config/step-plan.js';
import type { GateConfig } from '../config/schema.js';
import type { CredentialProbe, CredentialRequest } from '../model/credential-probe.js';
import type { RunResult, StepResult } from '../model/run-result.js';
import type { StepEvidence } from '../evidence/evidence-file.js';
import type { LiveOutcome } from '../model/live-outcome.js';
import type { SelftestRow } from './selftest-row.js';

import { KILL_NOT_REACHED } from '../model/live-outcome.js';

/** The live run's outcome as selftest judges it. */
export interface LiveInput {
  logDir: string;
  result: RunResult;
  live: LiveOutcome;
  /** What still runs after the live run's teardown. */
  leftovers: string[];
  /** The requests the healthy run sent with credentials: each gets a row, resent or not. */
  requests?: CredentialRequest[];
}

/** The extra, labelled run of the live mutations. */
export interface LiveSummary {
  logDir: string;
  gateVerdict: RunResult['verdict'];
  /** What the kill did, in words. */
  kill: string;
  /** Services (containers, process groups) still running after the live run: must be none. */
  leftovers: string[];
  /** Why the live run stopped before its mutations were all done, when it did. */
  stopped?: string;
  durationMs: number;
}

const failedStatus = (s: StepResult) => s.status === 'failed' || s.status === 'interrupted' || s.status === 'timedout';
/**
 * Why the live run stopped early, in words, or null when it ran through: `the live stack did not
 * boot (02_up.log: …)` when it failed before its stack was up, else where it stopped.
 */
export function liveStop(config: GateConfig, result: RunResult): string | null {
  const step = result.steps.find(failedStatus);
  if (!step) return result.verdict === 'interrupted' ? 'the live run was interrupted' : null;
  const planned = planSteps(config, builtinRegistries);
  const at = planned.findIndex((p) => p.id === step.id);
  const lastBoot = Math.max(-1, ...planned.map((p, i) => (!p.phase.always && p.kind.bootsStack === true ? i : -1)));
  const where = `${step.log}: ${step.detail}`;
  return at >= 0 && at <= lastBoot ? `the live stack did not boot (${where})` : `the live run stopped at ${step.log} before it (${where})`;
}

const probeKey = (p: Pick<CredentialProbe, 'log' | 'step' | 'request'>) => `${p.log}\0${p.step ?? p.request}`;

/**
 * The live mutations as rows: the kill must turn the Stability criterion ❌ naming the killed
 * service; each request repeated without its credentials must not get a 2xx. A mutation the live
 * run never reached (it did not boot, or stopped early) is a row too: `not run: <why>`.
 */
export function judgeLive(input: LiveInput, config: GateConfig, healthy: RunResult, evidence: StepEvidence[], titles: Record<string, string>): { rows: SelftestRow[]; summary: LiveSummary } {
  const rows: SelftestRow[] = [];
  const { result, live } = input;
  const rel = (log: string) => `selftest-live/${log}`;
  const k = live.kill;
  // Once the kill is done every request has been resent (it comes after them): what fails then is the kill's doing.
  const stop = k.planned && 'service' in k ? null : liveStop(config, result);
  const notRun = (why: string) => ({ caught: false, detail: `not run: ${why}`, live: true as const, notRun: why });
  const stabilityIds = new Set(evidence.filter((e) => e.judgements.some((j) => j.judge === 'stability')).map((e) => e.id));
  const stabilityStep = healthy.steps.find((s) => stabilityIds.has(s.id) && s.criterion);
  const criterion = stabilityStep?.criterion;
  let kill: string;
  if (!k.planned) kill = `no kill: ${k.why}`;
  else if ('notApplicable' in k) {
    kill = `no kill: not applicable (${k.notApplicable})`;
    if (criterion) rows.push({ criterion, title: titles[criterion] ?? criterion, log: rel(stabilityStep?.log ?? ''), mutation: 'live: SIGKILL of a service during the watch', caught: false, detail: 'not applicable', live: true, notApplicable: k.notApplicable });
  } else if ('error' in k && k.error === KILL_NOT_REACHED) {
    const why = stop ?? 'the live run ended before the kill';
    kill = `no kill: not run: ${why}`;
    if (criterion) rows.push({ criterion, title: titles[criterion] ?? criterion, log: rel(stabilityStep?.log ?? ''), mutation: 'live: SIGKILL of a service during the watch', ...notRun(why) });
  } else if ('error' in k) {
    kill = `kill failed: ${k.error}`;
    if (criterion) rows.push({ criterion, title: titles[criterion] ?? criterion, log: rel(stabilityStep?.log ?? ''), mutation: 'live: SIGKILL of a service during the watch', caught: false, detail: `the kill could not be done: ${k.error}`, live: true });
  } else {
    kill = `killed ${k.service} (SIGKILL) at ${k.at.slice(11, 19)} after ${k.afterStep}${k.seen ? '' : '; the watch never reported it'}`;
    if (criterion) {
      const verdict = result.criteria.find((c) => c.id === criterion);
      const step = result.steps.find((s) => s.id === stabilityStep?.id);
      const names = (verdict?.detail ?? '').includes(k.service);
      const caught = verdict !== undefined && !verdict.passed && names;
      const detail = !verdict ? 'no verdict in the live run' : verdict.passed ? `stayed ✅ (${verdict.detail})` : names ? verdict.detail : `❌ but does not name ${k.service} (${verdict.detail})`;
      rows.push({ criterion, title: titles[criterion] ?? criterion, log: rel(step?.log ?? stabilityStep?.log ?? ''), mutation: `live: SIGKILL of ${k.service}'s main process during the watch`, caught, detail, live: true });
    }
  }
  // Every request the healthy run sent with credentials gets its row, in the healthy run's order;
  // then any repeat the live run made that the healthy run did not list.
  const probes = new Map(live.probes.map((p) => [probeKey(p), p]));
  const listed = input.requests ?? [];
  for (const request of listed) {
    const probe = probes.get(probeKey(request));
    if (probe) {
      rows.push(probeRow(probe, titles, rel));
      probes.delete(probeKey(request));
      continue;
    }
    const step = result.steps.find((s) => s.log === request.log);
    const why = stop ?? `the live run did not resend it (${request.log}: ${step ? `${step.status}, ${step.detail}` : 'no such step'})`;
    const id = request.criterion ?? '';
    rows.push({ criterion: id, title: titles[id] ?? (id || '(no criterion)'), log: rel(request.log), mutation: `live: ${request.request} without ${request.without.join(', ')}`, ...notRun(why) });
  }
  for (const probe of probes.values()) rows.push(probeRow(probe, titles, rel));
  const started = Date.parse(result.startedAt);
  const ended = Date.parse(result.endedAt);
  return { rows, summary: { logDir: input.logDir, gateVerdict: result.verdict, kill, leftovers: input.leftovers, ...(stop ? { stopped: stop } : {}), durationMs: ended - started } };
}

/** A request the live run resent without its credentials: refused is caught, a 2xx is a public endpoint. */
function probeRow(probe: CredentialProbe, titles: Record<string, string>, rel: (log: string) => string): SelftestRow {
  const id = probe.criterion ?? '';
  const ok = probe.status !== null && (probe.status < 200 || probe.status >= 300);
  const detail =
    probe.status === null
      ? `no answer (${probe.problem ?? 'network error'}): cannot tell whether it is protected`
      : ok
        ? `HTTP ${probe.status}: refused`
        : `HTTP ${probe.status}: the endpoint is public (it answers without ${probe.without.join(', ')})`;
  return { criterion: id, title: titles[id] ?? (id || '(no criterion)'), log: rel(probe.log), mutation: `live: ${probe.request} without ${probe.without.join(', ')}`, caught: ok, detail, live: true };
}
