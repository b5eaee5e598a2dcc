import type { RunResult } from '../model/run-result.js';
import type { Reporter } from './reporter.js';

/** Keys in the order of the RunResult interfaces; unknown keys follow, sorted. */
const KEY_ORDER = [
  'tool', 'name', 'version', 'config', 'logDir', 'id', 'phase', 'log', 'title', 'verdict', 'status', 'passed',
  'stoppedAt', 'startedAt', 'endedAt', 'durationMs', 'exitCode', 'detail', 'criterion', 'logs',
  'phases', 'steps', 'criteria', 'counts', 'artifacts',
];
const RANK = new Map(KEY_ORDER.map((k, i) => [k, i]));

function compareKeys(a: string, b: string): number {
  const ra = RANK.get(a) ?? Infinity;
  const rb = RANK.get(b) ?? Infinity;
  return ra !== rb ? ra - rb : a < b ? -1 : a > b ? 1 : 0;
}

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value === null || typeof value !== 'object') return value;
  const src = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(src).sort(compareKeys)) out[key] = stable(src[key]);
  return out;
}

/** `summary.json`: the RunResult with a stable key order, so two runs diff cleanly. */
export class JsonReporter implements Reporter {
  readonly name = 'json' as const;
  readonly fileName = 'summary.json';

  render(result: RunResult): string {
    return `${JSON.stringify(stable(result), null, 2)}\n`;
  }
}

export const jsonReporter = new JsonReporter();
