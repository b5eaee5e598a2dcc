import { open } from 'node:fs/promises';
import { ChunkDecoder } from './chunk-decoder.js';
import type { OutputSink } from './output.js';
import { stripAnsi } from './text.js';

/** How often a reader that has caught up with its writer looks for more. */
const FOLLOW_POLL_MS = 20;
/** Read size: a capture's work is per block, so blocks are large. */
const BLOCK = 1024 * 1024;

export interface FollowOptions {
  signal?: AbortSignal | undefined;
  /** True once the writer has exited: what is then left in the file is its end. */
  finished: () => boolean;
}

/**
 * Feeds a file another process is writing to `output` as it grows, in blocks cut at line ends
 * (terminal escapes removed), until the writer has finished and the end is read. A line longer
 * than a block goes as it is, so memory stays bounded.
 */
export async function feedGrowingFile(path: string, output: OutputSink, opts: FollowOptions): Promise<void> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(BLOCK);
    const decoder = new ChunkDecoder();
    let carry = '';
    for (;;) {
      opts.signal?.throwIfAborted();
      // Asked before the read: nothing read once the writer had exited means the end.
      const done = opts.finished();
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0 && !done) {
        await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
        continue;
      }
      const text = carry + (bytesRead > 0 ? decoder.write(buffer.subarray(0, bytesRead)) : decoder.end());
      const cut = bytesRead > 0 && text.length <= buffer.length ? text.lastIndexOf('\n') + 1 : text.length;
      carry = text.slice(cut);
      if (cut > 0 && output.write(stripAnsi(text.slice(0, cut)), 'stdout') === false) await output.drained?.();
      if (bytesRead === 0) break;
    }
  } finally {
    await handle.close();
  }
}
