import { errorMessage } from '../common/errors.js';
import type { LiveEvent, LiveReporter, RunEnd, RunStart, StepEnd, StepStart } from './live-reporter.js';

/**
 * Fans each hook out to every subscriber, in order. A subscriber that throws is cut off from
 * that call only: the others still get it, the run never sees the error (it is handed to
 * `onError`, by default written to stderr once per subscriber).
 */
export class ReporterMultiplexer implements LiveReporter {
  private readonly reported = new Set<LiveReporter>();

  constructor(
    private readonly subscribers: readonly LiveReporter[],
    /** Told of each failing call; default: one stderr line per failing subscriber. */
    private readonly onError?: (subscriber: LiveReporter, hook: string, err: unknown) => void,
  ) {}

  get wantsStepLines(): boolean {
    return this.subscribers.some((s) => s.wantsStepLines === true);
  }

  onRunStart(run: RunStart): void {
    this.each('onRunStart', (s) => s.onRunStart?.(run));
  }

  onStepStart(step: StepStart): void {
    this.each('onStepStart', (s) => s.onStepStart?.(step));
  }

  onStepEnd(step: StepEnd): void {
    this.each('onStepEnd', (s) => s.onStepEnd?.(step));
  }

  onEvent(event: LiveEvent): void {
    this.each('onEvent', (s) => s.onEvent?.(event));
  }

  onRunEnd(end: RunEnd): void {
    this.each('onRunEnd', (s) => s.onRunEnd?.(end));
  }

  /** A shorthand for the commonest event: one line of information. */
  info(text: string): void {
    this.onEvent({ type: 'info', text });
  }

  private each(hook: string, call: (subscriber: LiveReporter) => void): void {
    for (const subscriber of this.subscribers) {
      try {
        call(subscriber);
      } catch (err) {
        this.failed(subscriber, hook, err);
      }
    }
  }

  private failed(subscriber: LiveReporter, hook: string, err: unknown): void {
    if (this.onError) return this.onError(subscriber, hook, err);
    if (this.reported.has(subscriber)) return;
    this.reported.add(subscriber);
    process.stderr.write(`live reporter failed in ${hook}: ${errorMessage(err)}\n`);
  }
}
