import { createWriteStream, type WriteStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { OutputSink } from '../common/output.js';
import type { StepOutput } from '../steps/step-kind.js';
import type { Redactor } from '../common/redactor.js';
import type { Console } from './console.js';

/** A partial line longer than this is flushed: memory stays bounded on endless lines. */
const MAX_PENDING = 64 * 1024;
/** Kept back when a long partial line is flushed, so a secret cut in two still gets redacted. */
const OVERLAP = 512;
/** Lines capture() keeps at most (the last ones): bounded memory on huge outputs. */
const MAX_CAPTURED_LINES = 50_000;

/**
 * The numbered log of one step. Splits child output into lines, redacts each one, stamps it
 * with the time and writes it to the artifact file and to the console as it arrives.
 * Several steps may share one file (opened in append mode).
 */
export class StepLog implements OutputSink, StepOutput {
  private readonly file: WriteStream;
  private pending: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  // One decoder per stream: a multi-byte character split across two reads stays whole.
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  /** The first write error (disk full…): the run goes on, the error is reported once. */
  writeError: NodeJS.ErrnoException | null = null;
  private closed = false;
  /** Listeners fed every redacted line (capture, live log scans). */
  private readonly taps = new Set<(line: string) => void>();

  constructor(
    readonly path: string,
    private readonly redactor: Redactor,
    private readonly console: Console,
    private readonly label: string,
    mode: 'a' | 'w' = 'a',
  ) {
    this.file = createWriteStream(path, { flags: mode });
    this.file.on('error', (err: NodeJS.ErrnoException) => {
      if (this.writeError) return;
      this.writeError = err;
      this.console.info(`cannot write ${path}: ${err.message}`);
    });
  }

  write(chunk: string | Buffer, stream: 'stdout' | 'stderr' = 'stdout'): void {
    let text = this.pending[stream] + (typeof chunk === 'string' ? chunk : this.decoders[stream].write(chunk));
    let nl = text.indexOf('\n');
    while (nl >= 0) {
      this.emit(text.slice(0, nl).replace(/\r$/, ''));
      text = text.slice(nl + 1);
      nl = text.indexOf('\n');
    }
    if (text.length > MAX_PENDING) {
      this.emit(text.slice(0, -OVERLAP));
      text = text.slice(-OVERLAP);
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
    const untap = this.tap((line) => {
      lines.push(line);
      // Trimmed in batches: at most twice the cap in memory, amortised O(1) per line.
      if (lines.length > 2 * MAX_CAPTURED_LINES) lines.splice(0, lines.length - MAX_CAPTURED_LINES);
    });
    return () => {
      untap();
      return lines.slice(-MAX_CAPTURED_LINES);
    };
  }

  /** Flushes partial lines and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const stream of ['stdout', 'stderr'] as const) {
      this.pending[stream] += this.decoders[stream].end();
      if (this.pending[stream].length > 0) this.emit(this.pending[stream]);
      this.pending[stream] = '';
    }
    this.closed = true;
    // A write error was already reported; closing must not throw it again.
    await new Promise<void>((resolve) => this.file.end(() => resolve()));
  }

  private emit(raw: string): void {
    const text = this.redactor.redact(raw);
    for (const listener of this.taps) listener(text);
    if (this.closed) return;
    if (!this.writeError) this.file.write(`${new Date().toISOString()} ${text}\n`);
    this.console.stepLine(this.label, text);
  }
}
