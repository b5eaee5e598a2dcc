import { createReadStream } from 'node:fs';
import type { LogsOptions } from '../../model/stack.js';

/**
 * Streams a whole service log into the output in big chunks (the step log splits the lines),
 * prefixed per line when several services share the output, waiting whenever the output's
 * file is behind (backpressure): a 512 MiB log never sits in memory.
 */
export async function copyLog(file: string, prefix: string, opts: LogsOptions): Promise<void> {
  let lastChar = '\n';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024, ...(opts.signal ? { signal: opts.signal } : {}) })) {
    const text = chunk as string;
    if (text.length === 0) continue;
    // A prefix goes after every newline, and at the chunk's start when the previous one ended a line.
    const body = prefix ? `${lastChar === '\n' ? prefix : ''}${text.replace(/\n(?=.)/gs, `\n${prefix}`)}` : text;
    lastChar = text[text.length - 1] as string;
    if (opts.output.write(body) === false) await opts.output.drained?.();
  }
  // A last line without its newline must not run into the next service's first line.
  if (lastChar !== '\n') opts.output.write('\n');
}

/** Plain columns for the ps log. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [fmt(header), ...rows.map(fmt)].join('\n');
}
