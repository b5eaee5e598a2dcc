import { isDeepStrictEqual } from 'node:util';
import { queryJson } from '../common/json-query.js';
import type { AssertConfig } from './scenario-schema.js';

/** One-line form of an assertion for logs and failures: `$.count > 0`. */
export function describeAssertion(a: AssertConfig): string {
  const parts: string[] = [];
  if (a.exists !== undefined) parts.push(a.exists ? 'exists' : 'does not exist');
  if (a.equals !== undefined) parts.push(`== ${JSON.stringify(a.equals)}`);
  if (a.greaterThan !== undefined) parts.push(`> ${a.greaterThan}`);
  if (a.lessThan !== undefined) parts.push(`< ${a.lessThan}`);
  return `${a.path} ${parts.join(' and ')}`;
}

/**
 * Checks one assertion against a JSON body; returns null when it holds, else why not.
 * Value operators (equals, greaterThan, lessThan) apply to the first match.
 */
export function checkAssertion(a: AssertConfig, json: unknown): string | null {
  const matches = queryJson(json, a.path);
  const what = describeAssertion(a);
  if (a.exists === false) return matches.length === 0 ? null : `${what}: found ${preview(matches[0])}`;
  if (matches.length === 0) return `${what}: ${a.path} matched nothing`;
  const value = matches[0];
  if (a.equals !== undefined && !isDeepStrictEqual(value, a.equals)) return `${what}: got ${preview(value)}`;
  for (const [op, bound] of [['greaterThan', a.greaterThan], ['lessThan', a.lessThan]] as const) {
    if (bound === undefined) continue;
    if (typeof value !== 'number') return `${what}: got ${preview(value)}, not a number`;
    if (op === 'greaterThan' ? !(value > bound) : !(value < bound)) return `${what}: got ${value}`;
  }
  return null;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
