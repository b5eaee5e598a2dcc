import { createWriteStream, type WriteStream } from 'node:fs';
import type { OutputSink } from '../common/output.js';
import type { Redactor } from './redactor.js';
import type { Console } from './console.js';

/** A partial line longer than this is flushed as is: memory stays bounded on endless lines. */
const MAX_PENDING = 64 * 1024;

/**
 * The numbered log of one step. Splits child output into lines, redacts each one, stamps it
 * with the time and writes it to the artifact file and to the console as it arrives.
 * Several steps may share one file (opened in append mode).
 */
export class StepLog implements OutputSink {
  private readonly file: WriteStream;
  private pending: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  private closed = false;
  /** Listeners fed every redacted line (capture, live log scans). */
  private readonly taps = new Set<(line: string) => void>();

  constructor(
    readonly path: string,
    private readonly redactor: Redactor,
    private readonly console: Console,
    private readonly label: string,
  ) {
    this.file = createWriteStream(path, { flags: 'a' });
  }

  write(chunk: string | Buffer, stream: 'stdout' | 'stderr' = 'stdout'): void {
    let text = this.pending[stream] + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    let nl = text.indexOf('\n');
    while (nl >= 0) {
      this.emit(text.slice(0, nl).replace(/\r$/, ''));
      text = text.slice(nl + 1);
      nl = text.indexOf('\n');
    }
    if (text.length > MAX_PENDING) {
      this.emit(text);
      text = '';
    }
    this.pending[stream] = text;
  }

  line(text: string): void {
    for (const l of text.split('\n')) this.emit(l);
  }

  /** Shows a transient progress line (live on a TTY, throttled otherwise); not written to the file. */
  progress(text: string): void {
    this.console.progress(`${this.label} ${this.redactor.redact(text)}`);
  }

  /** Calls listener with every redacted line from now on; returns the function that stops it. */
  tap(listener: (line: string) => void): () => void {
    this.taps.add(listener);
    return () => this.taps.delete(listener);
  }

  /** Keeps the redacted lines written from now on; returns a function that stops and returns them. */
  capture(): () => string[] {
    const lines: string[] = [];
    const untap = this.tap((line) => lines.push(line));
    return () => {
      untap();
      return lines;
    };
  }

  /** Flushes partial lines and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.pending[stream].length > 0) this.emit(this.pending[stream]);
      this.pending[stream] = '';
    }
    this.closed = true;
    await new Promise<void>((resolve, reject) => this.file.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }

  private emit(raw: string): void {
    const text = this.redactor.redact(raw);
    for (const listener of this.taps) listener(text);
    if (this.closed) return;
    this.file.write(`${new Date().toISOString()} ${text}\n`);
    this.console.stepLine(this.label, text);
  }
}
