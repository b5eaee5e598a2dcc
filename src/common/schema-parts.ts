import { z } from 'zod';

// Configs are validated once or twice per process: zod's JIT (a validator compiled per object
// schema on its first parse) costs more than it saves there (measured: first load 35 → 20 ms).
z.config({ jitless: true });
import { formatDuration, parseDuration } from './duration.js';
import { errorMessage } from './errors.js';
import { jsonPathProblem } from './json-query.js';

/*
 * Schema pieces shared by the config, the step kinds, the drivers and the scenario: one
 * definition each, so a duration or a regex is checked the same way everywhere.
 */

const DURATION_EXPECTED = 'expected a duration such as 500ms, 30s, 3m or a number of seconds';
const DURATION_DESCRIPTION = 'A duration: 500ms, 30s, 3m, 1h, or a number of seconds';

interface DurationBounds {
  min?: number;
  max?: number;
}

/** What is wrong with a duration as written, or null: one check for every duration of the config. */
function durationProblem(ms: number | null, bounds: DurationBounds): string | null {
  if (ms === null) return DURATION_EXPECTED;
  if (bounds.min !== undefined && ms < bounds.min) return `must be at least ${formatDuration(bounds.min)}`;
  if (bounds.max !== undefined && ms > bounds.max) return `must be at most ${formatDuration(bounds.max)}`;
  return null;
}

/**
 * A duration (`500ms`, `30s`, `3m`, `1h`, or seconds), optionally bounded, kept as written:
 * for values shown as written (a step's `timeout`, the gate's `deadline`). A step kind reading a
 * duration takes `durationMs` instead.
 */
export function durationSchema(bounds: DurationBounds = {}) {
  return z
    .union([z.string(), z.number()], { error: DURATION_EXPECTED })
    .superRefine((value, ctx) => {
      const problem = durationProblem(parseDuration(value), bounds);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe(DURATION_DESCRIPTION);
}

/** A duration as the config wrote it (`180s`, `3m`: shown to users as is) and its length. */
export interface WrittenDuration {
  readonly text: string;
  readonly ms: number;
}

function readDuration<T>(bounds: DurationBounds, read: (ms: number, value: string | number) => T) {
  return z
    .union([z.string(), z.number()], { error: DURATION_EXPECTED })
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      const problem = durationProblem(ms, bounds);
      if (problem === null && ms !== null) return read(ms, value);
      ctx.issues.push({ code: 'custom', message: problem ?? DURATION_EXPECTED, input: value });
      return z.NEVER;
    })
    .describe(DURATION_DESCRIPTION);
}

// A default is the input as written (prefault), parsed like a user's value: a `.default(ms)`
// would land in the JSON Schema as a number of seconds.
const msSchema = (bounds: DurationBounds) => readDuration(bounds, (ms) => ms);
const writtenSchema = (bounds: DurationBounds) => readDuration(bounds, (ms, value): WrittenDuration => ({ text: String(value), ms }));

/**
 * A duration read once, at load, into milliseconds: the step kinds get numbers and never parse.
 * The JSON Schema still describes the input (a duration string or seconds). A default is given
 * as written (`{ default: '1s' }`) and read like any value, so it is stated once, here.
 */
export function durationMs(bounds: DurationBounds & { default: string }): z.ZodPrefault<ReturnType<typeof msSchema>>;
export function durationMs(bounds?: DurationBounds): ReturnType<typeof msSchema>;
export function durationMs(bounds: DurationBounds & { default?: string } = {}) {
  const schema = msSchema(bounds);
  return bounds.default === undefined ? schema : schema.prefault(bounds.default);
}

/** Like durationMs, keeping the text as written too: for a duration a title shows (`Stability window (180s, …)`). */
export function writtenDuration(bounds: DurationBounds & { default: string }): z.ZodPrefault<ReturnType<typeof writtenSchema>>;
export function writtenDuration(bounds?: DurationBounds): ReturnType<typeof writtenSchema>;
export function writtenDuration(bounds: DurationBounds & { default?: string } = {}) {
  const schema = writtenSchema(bounds);
  return bounds.default === undefined ? schema : schema.prefault(bounds.default);
}

/** A command: an argv list (no shell) or a string run by `sh -c`. */
export const commandSchema = z
  .union([z.array(z.string()).min(1), z.string().min(1)], {
    error: 'expected a command: a list of strings (argv, run without a shell) or a string run by sh -c',
  })
  .describe('A command: an argv list (run without a shell) or a string run by sh -c');

export const envSchema = z.record(z.string(), z.string()).describe('Environment variables');

/**
 * A regex source, compiled at load exactly as its user will compile it, so a bad one is a
 * config error (exit 2) and not a crash in the middle of a run.
 */
export function regexSchema(compile: (source: string) => unknown = (source) => new RegExp(source)) {
  return z.string().superRefine((source, ctx) => {
    try {
      compile(source);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `invalid regular expression "${source}": ${errorMessage(err)}` });
    }
  });
}

/** A JSONPath (jsonpath-plus syntax), checked at load: a path that cannot work is a config error. */
export function jsonPathSchema() {
  return z.string().min(1).superRefine((path, ctx) => {
    const problem = jsonPathProblem(path);
    if (problem) ctx.addIssue({ code: 'custom', message: `invalid JSONPath "${path}": ${problem}` });
  });
}

/**
 * An http(s) URL, checked after interpolation (`NGINX_BASE_URL=garbage` is refused at load,
 * not as "Invalid URL" mid-run). With `relative`, a path joined to the base URL is accepted too.
 */
export function httpUrlSchema(opts: { relative?: boolean } = {}) {
  return z.string().superRefine((text, ctx) => {
    const problem = httpUrlProblem(text, opts.relative ?? false);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

export function httpUrlProblem(text: string, relative: boolean): string | null {
  if (relative && text.startsWith('/')) return null;
  const allowed = relative ? 'an http:// or https:// URL, or a path starting with /' : 'an http:// or https:// URL such as http://127.0.0.1:8088';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `not a URL "${text}"; expected ${allowed}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `unsupported scheme "${url.protocol}" in "${text}"; expected ${allowed}`;
  if (!url.hostname) return `no host in "${text}"; expected ${allowed}`;
  return null;
}
