/**
 * Counts unallowed error lines in logs (criterion "Logs: 0 unallowed error lines").
 * Patterns are JS regex sources; a leading `(?i)` makes one case-insensitive, as in
 * Python/Go. JSON lines are also read by their level field (see structured-level.ts) unless
 * `structuredLevels` is false. A line matching any `allow` pattern is ignored. Memory is bounded: only
 * the first `maxMatches` matches are kept, the count covers all.
 */
import { RgConfigError, type ConfigIssue } from '../common/errors.js';
import { describeLevel, structuredErrorLevel } from './structured-level.js';

export interface LogScanOptions {
  /** Regexes (JS syntax; `(?i)` prefix = case-insensitive) that mark an error line. */
  patterns: string[];
  /** Regexes that excuse a line even when it matches a pattern. */
  allow: string[];
  /** Matches kept as evidence; the count goes on (default 100). */
  maxMatches?: number;
  /** Also flag JSON lines whose level field says error or worse (default true). */
  structuredLevels?: boolean | undefined;
}

export interface LogMatch {
  /** 1-based line number. */
  lineNo: number;
  line: string;
  /** The pattern source that matched, or for a JSON line its level field (`"level":"error"`). */
  pattern: string;
  /** True when the line's JSON level flagged it, not a pattern. */
  structured?: true;
}

export interface LogScanResult {
  count: number;
  matches: LogMatch[];
}

const DEFAULT_MAX_MATCHES = 100;

/**
 * Compiles pattern sources; every invalid one is reported at once, each naming its
 * field (`patterns[2]`), the source and the engine's reason.
 */
export function compilePatterns(sources: string[], field: string): RegExp[] {
  const issues: ConfigIssue[] = [];
  const out: RegExp[] = [];
  sources.forEach((source, i) => {
    try {
      out.push(compileLogPattern(source));
    } catch (err) {
      issues.push({ where: `${field}[${i}]`, message: `invalid regular expression "${source}": ${err instanceof Error ? err.message : String(err)}` });
    }
  });
  if (issues.length) throw new RgConfigError(issues);
  return out;
}

/** One pattern as the scanner compiles it: a leading `(?i)` makes it case-insensitive. Throws when invalid. */
export function compileLogPattern(source: string): RegExp {
  const insensitive = source.startsWith('(?i)');
  return new RegExp(insensitive ? source.slice(4) : source, insensitive ? 'i' : '');
}

/** A push-style scanner: feed lines in order, read the result at any time. */
export interface LineScanner {
  push(line: string): void;
  result(): LogScanResult;
}

export function createLineScanner(opts: LogScanOptions): LineScanner {
  const patterns = compilePatterns(opts.patterns, 'patterns');
  const allow = compilePatterns(opts.allow, 'allow');
  const max = opts.maxMatches ?? DEFAULT_MAX_MATCHES;
  const structured = opts.structuredLevels ?? true;
  const matches: LogMatch[] = [];
  let count = 0;
  let lineNo = 0;
  return {
    push(line) {
      lineNo++;
      const hit = patterns.findIndex((re) => re.test(line));
      const level = hit < 0 && structured ? structuredErrorLevel(line) : null;
      if ((hit < 0 && !level) || allow.some((re) => re.test(line))) return;
      count++;
      if (matches.length >= max) return;
      matches.push(level ? { lineNo, line, pattern: describeLevel(level), structured: true } : { lineNo, line, pattern: opts.patterns[hit] as string });
    },
    result: () => ({ count, matches: [...matches] }),
  };
}

/** Scans lines in memory. Throws RgConfigError when a pattern is not a valid regex. */
export function scanLines(lines: Iterable<string>, opts: LogScanOptions): LogScanResult {
  const scanner = createLineScanner(opts);
  for (const line of lines) scanner.push(line);
  return scanner.result();
}

/** `2 unallowed error lines (first: line 12: ERROR boom)` / `0 unallowed error lines`. */
export function describeScan(result: LogScanResult): string {
  const noun = `unallowed error line${result.count === 1 ? '' : 's'}`;
  const first = result.matches[0];
  return first ? `${result.count} ${noun} (first: line ${first.lineNo}: ${first.line.trim().slice(0, 200)})` : `${result.count} ${noun}`;
}
