import type { OutputSink } from './output.js';

/** How much output is kept before a sink is attached; beyond it the oldest goes (a failure's evidence is at the end). */
const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;

type Entry = { kind: 'chunk'; chunk: string | Buffer; stream?: 'stdout' | 'stderr' | undefined } | { kind: 'line'; text: string };

/**
 * An output sink for work that starts before its log exists (a build started while the
 * stability window runs, for a step that runs later): it keeps what is written until a sink is
 * attached, replays it there in order, then forwards everything as it comes, until detached.
 */
export class BufferedOutput implements OutputSink {
  private entries: Entry[] = [];
  private bytes = 0;
  private dropped = 0;
  private target: OutputSink | null = null;

  constructor(private readonly maxBytes = DEFAULT_MAX_BYTES) {}

  write(chunk: string | Buffer, stream?: 'stdout' | 'stderr'): unknown {
    if (this.target) return this.target.write(chunk, stream);
    this.keep({ kind: 'chunk', chunk, stream }, chunk.length);
    return true;
  }

  line(text: string): void {
    if (this.target) this.target.line(text);
    else this.keep({ kind: 'line', text }, text.length + 1);
  }

  /** Replays what was kept into `sink`, then forwards to it. */
  attach(sink: OutputSink): void {
    if (this.dropped > 0) sink.line(`… ${this.dropped} bytes of earlier output dropped (only the last ${this.maxBytes} are kept) …`);
    for (const entry of this.entries) {
      if (entry.kind === 'line') sink.line(entry.text);
      else sink.write(entry.chunk, entry.stream);
    }
    this.entries = [];
    this.bytes = 0;
    this.dropped = 0;
    this.target = sink;
  }

  /** Forwards to `sink` from now on, without replaying what was kept (said in one line): a teardown wants the cleanup, not the build. */
  redirect(sink: OutputSink): void {
    if (this.bytes + this.dropped > 0) sink.line(`(${this.bytes + this.dropped} bytes of earlier output not repeated here)`);
    this.entries = [];
    this.bytes = 0;
    this.dropped = 0;
    this.target = sink;
  }

  /** Keeps what comes from now on again (the attached log is about to close). */
  detach(): void {
    this.target = null;
  }

  private keep(entry: Entry, size: number): void {
    this.entries.push(entry);
    this.bytes += size;
    while (this.bytes > this.maxBytes && this.entries.length > 1) {
      const old = this.entries.shift() as Entry;
      const oldSize = old.kind === 'line' ? old.text.length + 1 : old.chunk.length;
      this.bytes -= oldSize;
      this.dropped += oldSize;
    }
  }
}
