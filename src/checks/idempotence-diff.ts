/**
 * Idempotence: a probe (e.g. row counts) run before and after a second seed must print
 * the same thing. Only trailing whitespace and line-ending differences are forgiven.
 */
import { lazyRequire } from '../common/lazy-require.js';

const diffLibrary = lazyRequire<typeof import('diff')>('diff');

export interface ProbeComparison {
  same: boolean;
  /** Unified diff of the normalised outputs; empty when same. */
  diff: string;
}

function normalise(text: string): string {
  const lines = text.split(/\r?\n/).map((l) => l.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export function compareProbeOutputs(before: string, after: string, label: string): ProbeComparison {
  const a = normalise(before);
  const b = normalise(after);
  if (a === b) return { same: true, diff: '' };
  return { same: false, diff: diffLibrary().createTwoFilesPatch(`${label} (before)`, `${label} (after)`, a, b, undefined, undefined, { context: 3 }) };
}
