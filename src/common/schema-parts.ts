import { z } from 'zod';
import { formatDuration, parseDuration } from './duration.js';
import { errorMessage } from './errors.js';

/*
 * Schema pieces shared by the config, the step kinds, the drivers and the scenario: one
 * definition each, so a duration or a regex is checked the same way everywhere.
 */

const DURATION_EXPECTED = 'expected a duration such as 500ms, 30s, 3m or a number of seconds';

/** A duration (`500ms`, `30s`, `3m`, `1h`, or seconds), optionally bounded: `durationSchema({ min: 1, max: DAY })`. */
export function durationSchema(bounds: { min?: number; max?: number } = {}) {
  return z
    .union([z.string(), z.number()], { error: DURATION_EXPECTED })
    .superRefine((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === null) ctx.addIssue({ code: 'custom', message: DURATION_EXPECTED });
      else if (bounds.min !== undefined && ms < bounds.min) ctx.addIssue({ code: 'custom', message: `must be at least ${formatDuration(bounds.min)}` });
      else if (bounds.max !== undefined && ms > bounds.max) ctx.addIssue({ code: 'custom', message: `must be at most ${formatDuration(bounds.max)}` });
    })
    .describe('A duration: 500ms, 30s, 3m, 1h, or a number of seconds');
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
