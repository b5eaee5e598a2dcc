/** Where a step's output goes: the step log writes each line timestamped and redacted. */
export interface OutputSink {
  /**
   * A chunk of child output; may hold partial lines. False (backpressure) asks the producer
   * to wait for drained() before the next chunk; a producer that cannot wait may go on.
   */
  write(chunk: string | Buffer, stream?: 'stdout' | 'stderr'): unknown;
  /** A line written by the runner itself. */
  line(text: string): void;
  /** Resolves once the sink can take more after write() returned false. */
  drained?(): Promise<void>;
}
