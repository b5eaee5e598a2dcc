/** Where a step's output goes: the step log writes each line timestamped and redacted. */
export interface OutputSink {
  /** A chunk of child output; may hold partial lines. */
  write(chunk: string | Buffer, stream?: 'stdout' | 'stderr'): void;
  /** A line written by the runner itself. */
  line(text: string): void;
}
