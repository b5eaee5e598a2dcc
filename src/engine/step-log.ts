import { createWriteStream, type WriteStream } from 'node:fs';
import { ChunkDecoder } from '../common/chunk-decoder.js';
import type { OutputSink } from '../common/output.js';
import type { StepOutput } from '../steps/step-kind.js';
import type { Redactor } from '../common/redactor.js';
import type { LiveReporter } from '../reporters/live-reporter.js';

/** A partial line longer than this is flushed: memory stays bounded on endless lines. */
const MAX_PENDING = 64 * 1024;
/** Kept back when a long partial line is flushed, so a secret cut in two still gets redacted. */
const OVERLAP = 512;
/** Lines capture() keeps at most (the last ones): bounded memory on huge outputs. */
const MAX_CAPTURED_LINES = 50_000;
/** Bytes buffered in front of the file before write() asks the producer to wait. */
const FILE_HIGH_WATER_MARK = 1024 * 1024;
/** Lines kept for the console's evidence of a failed step. */
const LAST_LINES = 12;

/**
 * The numbered log of one step. Splits child output into lines, redacts each one, stamps it
 * with the time and writes it to the artifact file as it arrives; the live output (the console)
 * gets each line only when a subscriber wants step lines (--verbose). Several steps may share
 * one file (opened in append mode).
 *
 * Lines of one chunk are redacted, stamped and written as one block (one scan and one write
 * per chunk, not per line: per-line work capped capture at ~30 MB/s). write() returns false once the file's buffer is full: the
 * producer then waits for drained() (runGroup pauses the child's pipes), so a fast service
 * log never piles up in memory in front of a slow disk.
 */
export class StepLog implements OutputSink, StepOutput {
  private readonly file: WriteStream;
  private pending: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  // One decoder per stream: a multi-byte character split across two reads stays whole.
  private readonly decoders = { stdout: new ChunkDecoder(), stderr: new ChunkDecoder() };
  /** The first write error (disk full…): the run goes on, the error is reported once. */
  writeError: NodeJS.ErrnoException | null = null;
  private closed = false;
  /** Listeners fed every redacted line (capture, live log scans). */
  private readonly taps = new Set<(line: string) => void>();
  /** Times write() asked its producer to wait for the disk (backpressure), for tests and the bench. */
  stalls = 0;
  /** The timestamp of the current millisecond: toISOString per line was a fifth of capture time. */
  private stampAt = -1;
  private stampText = '';
  /** The last lines written (a ring), shown on the console when the step fails. */
  private readonly ring: string[] = [];
  private ringAt = 0;

  constructor(
    readonly path: string,
    private readonly redactor: Redactor,
    /** The run's live output (its multiplexer): progress, write errors, step lines. */
    private readonly live: LiveReporter,
    private readonly label: string,
    mode: 'a' | 'w' = 'a',
    /** False for logs the console shows another way (the summary): --verbose would print them twice. */
    private readonly echo = true,
  ) {
    this.file = createWriteStream(path, { flags: mode, highWaterMark: FILE_HIGH_WATER_MARK });
    this.file.on('error', (err: NodeJS.ErrnoException) => {
      if (this.writeError) return;
      this.writeError = err;
      this.live.onEvent?.({ type: 'info', text: `cannot write ${path}: ${err.message}` });
      // Nothing will drain any more: release producers waiting for room.
      this.file.emit('drain');
    });
  }

  /** Takes a chunk of child output; false when the producer should wait for drained(). */
  write(chunk: string | Buffer, stream: 'stdout' | 'stderr' = 'stdout'): boolean {
    let text = this.pending[stream] + (typeof chunk === 'string' ? chunk : this.decoders[stream].write(chunk));
    const lastNl = text.lastIndexOf('\n');
    if (lastNl >= 0) {
      this.emitBlock(text.slice(0, lastNl));
      text = text.slice(lastNl + 1);
    }
    if (text.length > MAX_PENDING) {
      // Keep back at least the longest secret, and never cut through one: the part kept is
      // scanned again with what follows, so a secret split across chunks is still found whole.
      const cut = this.redactor.safeCut(text, text.length - Math.max(OVERLAP, this.redactor.longestSecret));
      if (cut > 0) {
        this.emitBlock(text.slice(0, cut));
        text = text.slice(cut);
      }
    }
    this.pending[stream] = text;
    return !this.file.writableNeedDrain;
  }

  /** Resolves once the file can take more (at once when it can already). */
  drained(): Promise<void> {
    if (!this.file.writableNeedDrain || this.writeError || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.file.once('drain', resolve));
  }

  /** Bytes accepted but not yet handed to the disk: bounded by backpressure. */
  get buffered(): number {
    return this.file.writableLength;
  }

  line(text: string): void {
    this.emitBlock(text);
  }

  /** Shows a transient progress line (live on a TTY, throttled otherwise); not written to the file. */
  progress(text: string): void {
    this.live.onEvent?.({ type: 'progress', text: `${this.label} ${this.redactor.redact(text)}` });
  }

  /** The last lines written (at most 12), oldest first: the evidence of a failed step. */
  lastLines(): string[] {
    return [...this.ring.slice(this.ringAt), ...this.ring.slice(0, this.ringAt)];
  }

  /** Calls listener with every redacted line from now on; returns the function that stops it. */
  tap(listener: (line: string) => void): () => void {
    this.taps.add(listener);
    return () => this.taps.delete(listener);
  }

  /**
   * Keeps the redacted lines written from now on; returns a function that stops and returns them.
   * Stopping ends a command's output: its last line without a newline is kept too (a probe's
   * `printf 'sum %s'` is compared, never glued onto the next command's first line).
   */
  capture(): () => string[] {
    const lines: string[] = [];
    const untap = this.tap((line) => {
      lines.push(line);
      // Trimmed in batches: at most twice the cap in memory, amortised O(1) per line.
      if (lines.length > 2 * MAX_CAPTURED_LINES) lines.splice(0, lines.length - MAX_CAPTURED_LINES);
    });
    return () => {
      this.flushPartialLines();
      untap();
      return lines.slice(-MAX_CAPTURED_LINES);
    };
  }

  /** Flushes partial lines and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flushPartialLines();
    this.closed = true;
    // A write error was already reported; closing must not throw it again.
    await new Promise<void>((resolve) => this.file.end(() => resolve()));
  }

  /** Writes what is left of each stream's last line: the output it belonged to has ended. */
  private flushPartialLines(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      this.pending[stream] += this.decoders[stream].end();
      if (this.pending[stream].length > 0) this.emitBlock(this.pending[stream]);
      this.pending[stream] = '';
    }
  }

  /**
   * Writes complete lines (joined by `\n`): one redaction scan and one file write for the
   * whole block. The lines are split apart only for listeners and the live output.
   */
  private emitBlock(block: string): void {
    const stamp = this.stamp();
    const echo = this.echo && this.live.wantsStepLines === true;
    // A CRLF producer: the line's own `\r` is not part of the text.
    const text = this.redactor.redactLines(block.includes('\r') ? block.replace(/\r$/gm, '') : block);
    if (echo || this.taps.size > 0) {
      for (const line of text.split('\n')) {
        for (const listener of this.taps) listener(line);
        if (echo) this.live.onEvent?.({ type: 'step-line', label: this.label, text: line });
      }
    }
    this.remember(text);
    if (this.closed || this.writeError) return;
    if (!this.file.write(`${stamp} ${text.replaceAll('\n', `\n${stamp} `)}\n`)) this.stalls++;
  }

  /** Puts the block's last lines in the ring (only its end is split: a chunk holds hundreds). */
  private remember(text: string): void {
    let from = text.length;
    for (let n = 0; n < LAST_LINES && from > 0; n++) from = text.lastIndexOf('\n', from - 1);
    // from is -1 (the whole block) or the `\n` before the twelfth line from the end.
    const tail = from < 0 ? text : text.slice(from + 1);
    for (const line of tail.split('\n')) {
      this.ring[this.ringAt] = line;
      this.ringAt = (this.ringAt + 1) % LAST_LINES;
    }
  }

  private stamp(): string {
    const now = Date.now();
    if (now !== this.stampAt) {
      this.stampAt = now;
      this.stampText = new Date(now).toISOString();
    }
    return this.stampText;
  }
}
