import pc from 'picocolors';
import { formatDuration } from '../common/duration.js';
import type { Redactor } from '../common/redactor.js';
import type { HttpExchange, RunResult } from '../model/run-result.js';
import { terminalSafe } from '../common/terminal-text.js';
import { criterionMark, judgedCriteria } from '../reporters/reporter.js';
import type { LiveEvent, LiveReporter, RunEnd, RunStart, StepEnd, StepStart } from '../reporters/live-reporter.js';

/** How often a waiting step prints its progress when stdout is not a TTY. */
const PLAIN_PROGRESS_EVERY_MS = 15_000;

export interface ConsoleOptions {
  /** Stream service and command output (every step-log line) to the console too; default: files only. */
  verbose?: boolean;
  /** Hides secrets in every line: the console is an artifact too (CI keeps it), and some lines (the criteria's details) come straight from the result. */
  redactor?: Pick<Redactor, 'redact'>;
}

/**
 * The runner's console. Quiet by default: one line per finished step (✓/✗, duration, log
 * file), the live progress line on a TTY (at most one line every 15 s otherwise: CI logs),
 * the evidence of a failure, the summary once. Step output (service logs, command output)
 * goes to the step log files; --verbose streams it here as well. A passing run of the sample
 * printed 1,491 lines, 71 % of them service logs, before this.
 * Colours follow picocolors, which honours NO_COLOR and FORCE_COLOR. One live subscriber of
 * the run among others (the runner calls its hooks through a ReporterMultiplexer).
 */
export class Console implements LiveReporter {
  private readonly tty: boolean;
  private liveLine = false;
  private lastPlainProgress = 0;
  /** When a step last reported progress itself; the heartbeat stays quiet meanwhile. */
  private lastProgressCall = 0;

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
    private readonly opts: ConsoleOptions = {},
  ) {
    this.tty = Boolean(out.isTTY) && !process.env['CI'];
  }

  /** True when step-log lines are shown (--verbose): the step log skips splitting them otherwise. */
  get wantsStepLines(): boolean {
    return Boolean(this.opts.verbose);
  }

  onRunStart(run: RunStart): void {
    this.banner(`release-gate ${run.version} — ${run.name} (${run.driver} driver)`);
    this.info(`artifacts: ${run.logDir}`);
    for (const note of run.notes) this.info(note);
    if (run.target.external) this.info(`target: an external deployment, ${run.target.description}: not started or stopped by the gate`);
    for (const s of run.switches) this.info(`switch ${s.name}=${s.value} (${s.description})`);
  }

  onStepStart(step: StepStart): void {
    this.stepStart(step.label, step.title);
    this.resetProgress();
  }

  onStepEnd(step: StepEnd): void {
    this.stepEnd(step.label, step.mark, step.durationMs, step.detail);
    if (step.failure) this.failure(step.label, step.failure.lastLines, step.failure.http);
  }

  onEvent(event: LiveEvent): void {
    switch (event.type) {
      case 'info':
        return this.info(event.text);
      case 'evidence':
        return this.evidence(event.title, event.lines);
      case 'progress':
        return this.progress(event.text);
      case 'heartbeat':
        return this.heartbeat(event.label, event.elapsedMs);
      case 'step-line':
        return this.stepLine(event.label, event.text);
    }
  }

  /** The criteria (unless the evidence is lost: no verdict then), the verdict, where the evidence is. */
  onRunEnd(end: RunEnd): void {
    if (end.evidenceLost === null) this.summary(end.result);
    this.banner(end.verdict);
    this.info(`artifacts: ${end.logDir}`);
  }

  private stepLine(label: string, text: string): void {
    if (!this.opts.verbose) return;
    this.print(`${pc.dim(time())} ${pc.dim(label)} ${text}`);
  }

  private banner(text: string): void {
    this.print(pc.bold(text));
  }

  info(text: string): void {
    this.print(text);
  }

  /** A step starts: a line of its own with --verbose, else only the live line (the end line says it all). */
  private stepStart(label: string, title: string): void {
    if (this.opts.verbose) this.print(`${pc.dim(time())} ${pc.cyan('▶')} ${pc.bold(terminalSafe(label))} ${terminalSafe(title)}`);
    else if (this.tty) this.show(`${label} ${title}`);
  }

  /** `✓ 02_up.log 8.9s — stack started`: the one line a step prints by default. */
  private stepEnd(label: string, status: StepEnd['mark'], durationMs: number, detail: string): void {
    const mark = status === 'passed' ? pc.green('✓') : status === 'interrupted' ? pc.yellow('■') : status === 'not-judged' ? pc.dim('–') : pc.red('✗');
    this.print(`${pc.dim(time())} ${mark} ${pc.bold(`${terminalSafe(label)}.log`)} ${formatDuration(durationMs)}${detail ? ` — ${terminalSafe(detail)}` : ''}`);
  }

  /** What explains a failure (the end of the step's log, a service's last lines), indented under its step. */
  private evidence(title: string, lines: readonly string[]): void {
    if (lines.length === 0) return;
    this.print(`    ${pc.dim(terminalSafe(title))}`);
    for (const line of lines) this.print(`    ${pc.dim('│')} ${terminalSafe(line)}`);
  }

  /**
   * A failed step's evidence, without --verbose: its last HTTP exchange (method, URL, status,
   * content type, the start of the body, all redacted) when it has one, then its log's last lines.
   */
  private failure(logName: string, lastLines: readonly string[], http?: HttpExchange): void {
    if (http) {
      const answer = http.status === undefined ? `no answer${http.problem ? ` (${http.problem})` : ''}` : `${http.status}${http.contentType ? ` ${http.contentType}` : ''}`;
      const body = http.bodyExcerpt === undefined ? [] : http.bodyExcerpt === '' ? ['(empty body)'] : http.bodyExcerpt.split(/\r?\n/);
      this.evidence(`${http.method} ${http.url} → ${answer}${http.scenarioStep ? ` (scenario step ${http.scenarioStep})` : ''}`, body);
      if (body.length === 0) this.print(`    ${pc.dim(terminalSafe(`${http.method} ${http.url} → ${answer}`))}`);
    }
    this.evidence(`last lines of ${logName}.log:`, lastLines);
  }

  /** The criteria, once, at the end of the run (the full summary is in the summary log). */
  private summary(result: RunResult): void {
    const judged = judgedCriteria(result);
    this.print(pc.bold(`Criteria: ${judged.filter((c) => c.passed).length}/${judged.length} passed`));
    for (const c of result.criteria) this.print(`  ${criterionMark(c)} ${terminalSafe(c.title)}${c.passed || !c.detail ? '' : `: ${terminalSafe(c.detail)}`}`);
  }

  private progress(text: string): void {
    this.lastProgressCall = Date.now();
    this.show(text);
  }

  /** `▶ step running for 42s`: shown while a step says nothing of its own progress. */
  private heartbeat(label: string, elapsedMs: number): void {
    if (Date.now() - this.lastProgressCall < 2000) return;
    this.show(`${label} running for ${formatDuration(elapsedMs)}`);
  }

  private show(raw: string): void {
    const text = terminalSafe(this.opts.redactor ? this.opts.redactor.redact(raw) : raw);
    if (this.tty) {
      this.out.write(`\r\x1b[2K${pc.yellow('…')} ${text}`);
      this.liveLine = true;
      return;
    }
    const now = Date.now();
    if (now - this.lastPlainProgress >= PLAIN_PROGRESS_EVERY_MS) {
      this.lastPlainProgress = now;
      this.print(`${pc.dim(time())} … ${text}`);
    }
  }

  /** Restarts the plain-progress throttle at a step's start: a step that ends within 15 s prints only its end line. */
  private resetProgress(): void {
    this.lastPlainProgress = Date.now();
  }

  private print(raw: string): void {
    const line = this.opts.redactor ? this.opts.redactor.redact(raw) : raw;
    if (this.liveLine) {
      this.out.write('\r\x1b[2K');
      this.liveLine = false;
    }
    this.out.write(`${line}\n`);
  }
}

function time(): string {
  return new Date().toISOString().slice(11, 19);
}
