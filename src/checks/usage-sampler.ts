import type { Clock } from '../common/clock.js';
import { errorMessage } from '../common/errors.js';
import type { StackDriver } from '../model/stack.js';
import { ResourceUsage } from './resource-usage.js';

/**
 * Samples the stack's memory and CPU every `intervalMs` until stopped: one driver call per
 * sample for every service at once. A failed sample is counted and said, never fatal (a
 * container replaced between the list and its stats); `onSample` sees each one as it comes.
 */
export class UsageSampler {
  readonly usage = new ResourceUsage();
  /** Samples asked of the driver, and how many of them failed. */
  rounds = 0;
  failures = 0;
  lastError: string | null = null;
  private readonly stopped = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(
    private readonly driver: Required<Pick<StackDriver, 'usage'>>,
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly onSample: () => void = () => undefined,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops after the sample in flight, if any. */
  async stop(): Promise<void> {
    this.stopped.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped.signal.aborted) {
      this.rounds++;
      try {
        const samples = await this.driver.usage();
        if (this.stopped.signal.aborted) return;
        this.usage.add(samples, this.clock.now());
        this.onSample();
      } catch (err) {
        this.failures++;
        this.lastError = errorMessage(err);
      }
      await this.clock.sleep(this.intervalMs, this.stopped.signal).catch(() => undefined);
    }
  }
}
