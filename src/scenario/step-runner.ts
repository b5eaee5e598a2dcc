import type { Clock } from '../common/clock.js';
import { formatDuration } from '../common/duration.js';
import { errorMessage } from '../common/errors.js';
import type { OutputSink } from '../common/output.js';
import { waitFor } from '../common/wait.js';
import { evaluateCondition, parseCondition } from './step-condition.js';
import { describeExit } from '../common/exit-code.js';
import { attemptHttpStep, BODY_LOG_LIMIT, displayPath, resolveUrl, type AttemptResult, type HttpStatusEvidence, type HttpStepEnv } from './http-step.js';
import type { StepConfig } from './scenario-schema.js';
import type { HttpExchange } from '../model/run-result.js';
import { failedExchange } from './failed-exchange.js';
import { renderTemplate, TemplateError } from './template.js';

/** What running one step needs: the HTTP environment plus the service exec. */
export interface StepEnv extends HttpStepEnv {
  exec(service: string, argv: string[], output: OutputSink, signal: AbortSignal): Promise<{ exitCode: number }>;
}

export type StepOutcome =
  | { status: 'passed'; captures: Record<string, unknown>; summary: string; http?: HttpStatusEvidence; /** The attempt that passed (1: no retry). */ attempts: number }
  | { status: 'failed'; reason: string; http?: HttpStatusEvidence; byStatus?: boolean; /** The last request and its answer, redacted. */ exchange?: HttpExchange }
  | { status: 'skipped'; reason: string };

/** Longest argv item shown in an exec line; reset one-liners are long. */
const ARG_PREVIEW = 60;

/**
 * Runs one step with its `if`, timeout (per attempt) and retry. Never throws for a failed
 * step; throws signal.reason when signal aborts, so the caller decides what still runs.
 */
export async function runStep(step: StepConfig, env: StepEnv, signal: AbortSignal): Promise<StepOutcome> {
  signal.throwIfAborted();
  const condition = step.if === undefined ? null : parseCondition(step.if);
  if (condition) {
    const { holds, why } = evaluateCondition(condition, env.scope);
    if (!holds) {
      env.output.line(`${step.name} skipped (if: ${step.if} — ${why})`);
      return { status: 'skipped', reason: why };
    }
  }
  const timeoutMs = step.timeout ?? env.defaults.timeout;
  const attempts = step.retry?.attempts ?? 1;
  // Without `retry` there is one attempt (attemptWithTimeout never throws but an abort): no pause is ever waited.
  const intervalMs = step.retry?.interval ?? 0;
  let attempt = 0;
  let last: AttemptResult | undefined;
  try {
    const outcome = await waitFor<AttemptResult>(
      async () => {
        attempt++;
        const result = await attemptWithTimeout(step, env, signal, timeoutMs);
        last = result;
        return { done: result.ok, stop: attempt >= attempts || isFatal(result), value: result };
      },
      {
        timeoutMs: Number.POSITIVE_INFINITY,
        // A retry interval is the user's: no backoff below it.
        initialDelayMs: intervalMs,
        intervalMs,
        clock: env.clock,
        signal,
        onWait: (result) => {
          if (result && !result.ok) env.output.line(`${step.name}: attempt ${attempt}/${attempts} failed (${result.reason}); retrying in ${formatDuration(intervalMs)}`);
        },
      },
    );
    last = outcome.ok ? outcome.value : (outcome.last ?? last);
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    last = { ok: false, reason: `internal error: ${errorMessage(err)}` };
  }
  if (!last) return { status: 'failed', reason: 'the step never ran' };
  if (last.ok) {
    if (attempt > 1) env.output.line(`${step.name} passed only on attempt ${attempt}/${attempts} (after ${attempt - 1} retr${attempt === 2 ? 'y' : 'ies'})${step.allowRetries ? ` (accepted: ${step.allowRetries})` : ''}`);
    return { status: 'passed', captures: last.captures, summary: last.summary, ...(last.http ? { http: last.http } : {}), attempts: attempt };
  }
  const hint = last.evidence ? step.hints?.[String(last.evidence.status)] : undefined;
  const reason = `${attempts > 1 && attempt > 1 ? `${last.reason} (after ${attempt} attempts)` : last.reason}${hint ? ` — hint: ${hint}` : ''}`;
  env.output.line(`${step.name} FAILED: ${reason}`);
  if (last.evidence) logBody(env.output, last.evidence);
  const exchange = last.evidence && last.evidence.status > 0 ? failedExchange(step.name, last.evidence, last.http?.expected ?? null, reason, env.redactor) : undefined;
  return { status: 'failed', reason, ...(last.http ? { http: last.http } : {}), ...(last.byStatus ? { byStatus: true } : {}), ...(exchange ? { exchange } : {}) };
}

function isFatal(result: AttemptResult): boolean {
  return !result.ok && result.fatal === true;
}

async function attemptWithTimeout(step: StepConfig, env: StepEnv, signal: AbortSignal, timeoutMs: number): Promise<AttemptResult> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = AbortSignal.any([signal, timeout]);
  try {
    return step.exec ? await attemptExec(step, env, combined) : await attemptHttpStep(step, env, combined);
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (err instanceof TemplateError) {
      // A config mistake: retrying cannot help.
      return { ok: false, reason: err.message, fatal: true };
    }
    if (timeout.aborted) {
      const what = step.request ? `${step.request.method} ${renderedPath(step.request.url, env)}` : `exec in ${step.exec?.service}`;
      env.output.line(`${step.name}: timed out after ${formatDuration(timeoutMs)}`);
      return { ok: false, reason: `${what} timed out after ${formatDuration(timeoutMs)}` };
    }
    return { ok: false, reason: errorMessage(err) };
  }
}

async function attemptExec(step: StepConfig, env: StepEnv, signal: AbortSignal): Promise<AttemptResult> {
  const exec = step.exec;
  if (!exec) throw new Error(`step ${step.name} has no exec`);
  const argv = exec.run.map((arg) => renderTemplate(arg, env.scope));
  const expected = step.expect?.exitCode ?? 0;
  const shown = argv.map(previewArg).join(' ');
  env.output.line(`${step.name} → exec in ${exec.service}: ${shown}`);
  const started = env.clock.now();
  // The step's timeout and the gate's interrupt stop the command in the service too.
  const { exitCode } = await env.exec(exec.service, argv, env.output, signal);
  env.output.line(`${step.name} → ${describeExit(exitCode)} (${formatDuration(env.clock.now() - started)})`);
  const summary = `exec in ${exec.service}: ${argv[0] ?? ''} → exit ${exitCode}`;
  if (exitCode !== expected) return { ok: false, reason: `${summary} (expected ${expected})` };
  return { ok: true, captures: {}, summary };
}

/** The step's path as sent, for messages; the raw template when it cannot be rendered. */
function renderedPath(url: string, env: StepEnv): string {
  try {
    return displayPath(env.baseUrl, resolveUrl(env.baseUrl, renderTemplate(url, env.scope)));
  } catch {
    // Unrenderable (a name not yet set): the template itself still says which request it was.
    return url;
  }
}

function previewArg(arg: string): string {
  const short = arg.length > ARG_PREVIEW ? `${arg.slice(0, ARG_PREVIEW - 1)}…` : arg;
  return /[\s"'$`\\]/.test(short) ? JSON.stringify(short) : short;
}

/** The response body of a failure, bounded; the sink redacts it (secrets were registered first). */
function logBody(output: OutputSink, evidence: { status: number; body: string }): void {
  const body = evidence.body;
  const shown = body.length > BODY_LOG_LIMIT ? body.slice(0, BODY_LOG_LIMIT) : body;
  const size = body.length > BODY_LOG_LIMIT ? `first ${BODY_LOG_LIMIT} of ${body.length} chars` : `${body.length} chars`;
  output.line(`response body (HTTP ${evidence.status}, ${size}):`);
  for (const line of (shown === '' ? '(empty)' : shown).split(/\r?\n/)) output.line(`  ${line}`);
}
