import pc from 'picocolors';
import { formatDuration } from '../common/duration.js';

/** How often a waiting step prints its progress when stdout is not a TTY. */
const PLAIN_PROGRESS_EVERY_MS = 15_000;

/**
 * The runner's console: step output lines with a timestamp, phase/step banners, and one
 * progress line that is live on a TTY and printed at most every 15 s otherwise (CI logs).
 * Colours follow picocolors, which honours NO_COLOR and FORCE_COLOR.
 */
export class Console {
  private readonly tty: boolean;
  private liveLine = false;
  private lastPlainProgress = 0;
  /** When a step last reported progress itself; the heartbeat stays quiet meanwhile. */
  private lastProgressCall = 0;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stdout,
    private readonly opts: { quiet?: boolean } = {},
  ) {
    this.tty = Boolean(out.isTTY) && !process.env['CI'];
  }

  stepLine(label: string, text: string): void {
    if (this.opts.quiet) return;
    this.print(`${pc.dim(time())} ${pc.dim(label)} ${text}`);
  }

  banner(text: string): void {
    this.print(pc.bold(text));
  }

  info(text: string): void {
    this.print(text);
  }

  stepStart(label: string, title: string): void {
    this.print(`${pc.dim(time())} ${pc.cyan('▶')} ${pc.bold(label)} ${title}`);
  }

  stepEnd(label: string, status: 'passed' | 'failed' | 'interrupted', durationMs: number, detail: string): void {
    const mark = status === 'passed' ? pc.green('✔') : status === 'interrupted' ? pc.yellow('■') : pc.red('✖');
    this.print(`${pc.dim(time())} ${mark} ${pc.bold(label)} ${formatDuration(durationMs)}${detail ? ` — ${detail}` : ''}`);
  }

  progress(text: string): void {
    this.lastProgressCall = Date.now();
    this.show(text);
  }

  /** `▶ step running for 42s`: shown while a step says nothing of its own progress. */
  heartbeat(label: string, elapsedMs: number): void {
    if (Date.now() - this.lastProgressCall < 2000) return;
    this.show(`${label} running for ${formatDuration(elapsedMs)}`);
  }

  private show(text: string): void {
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

  /** Resets the plain-progress throttle so a new wait prints its first line at once. */
  resetProgress(): void {
    this.lastPlainProgress = 0;
  }

  private print(line: string): void {
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
