/**
 * Assertions on a command's output, e.g. the Korrigo DB sanity check:
 * `{ eachMatch: 'pages=(\d+)', greaterThan: 0, atLeast: 1 }` — every line printing
 * `pages=N` must have N > 0, and there must be at least one such line.
 */
import { z } from 'zod';

function regexError(source: string): string | null {
  try {
    new RegExp(source);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

const regexSchema = z.string().min(1).superRefine((source, ctx) => {
  const error = regexError(source);
  if (error) ctx.addIssue({ code: 'custom', message: `invalid regular expression "${source}": ${error}` });
});

export const outputExpectationSchema = z
  .strictObject({
    eachMatch: regexSchema
      .optional()
      .describe('Regex (JS syntax) applied to each output line; its first capture group (or group `value`) is the number compared'),
    greaterThan: z.number().optional().describe('Every captured value must be greater than this'),
    lessThan: z.number().optional().describe('Every captured value must be less than this'),
    equals: z.number().optional().describe('Every captured value must equal this'),
    atLeast: z.number().int().min(0).optional().describe('Minimum number of lines matching eachMatch (default 1)'),
    contains: z.array(z.string()).optional().describe('Substrings the output must contain'),
    notContains: z.array(z.string()).optional().describe('Substrings the output must not contain'),
    matches: regexSchema.optional().describe('Regex (JS syntax, multiline) the output must match somewhere'),
    notMatches: regexSchema.optional().describe('Regex (JS syntax, multiline) the output must not match anywhere'),
  })
  .superRefine((e, ctx) => {
    const numeric = e.greaterThan !== undefined || e.lessThan !== undefined || e.equals !== undefined;
    if ((numeric || e.atLeast !== undefined) && e.eachMatch === undefined) {
      ctx.addIssue({ code: 'custom', path: ['eachMatch'], message: 'greaterThan/lessThan/equals/atLeast need eachMatch' });
    }
    if (numeric && e.eachMatch !== undefined && regexError(e.eachMatch) === null && captureGroups(e.eachMatch) === 0) {
      ctx.addIssue({ code: 'custom', path: ['eachMatch'], message: `eachMatch ${JSON.stringify(e.eachMatch)} has no capture group to compare` });
    }
    const any = Object.values(e).some((v) => v !== undefined);
    if (!any) ctx.addIssue({ code: 'custom', message: 'an output expectation needs at least one assertion' });
  })
  .describe("Assertions on the step's output");

/** What a command's output must satisfy. */
export type OutputExpectation = z.infer<typeof outputExpectationSchema>;

export interface OutputCheckResult {
  passed: boolean;
  /** One line: `3 lines match pages=(\d+), all > 0` or the first failure. */
  detail: string;
  /** Every failed assertion, one line each. */
  failures: string[];
  /** Lines matched by `eachMatch` (else lines of output): 0 means nothing was observed. */
  matched: number;
}

function captureGroups(source: string): number {
  return (new RegExp(`${source}|`).exec('')?.length ?? 1) - 1;
}

function compile(source: string, field: string, flags = ''): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (err) {
    throw new Error(`Output expectation ${field}: invalid regular expression "${source}": ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

function toLines(input: string | Iterable<string>): string[] {
  const lines = typeof input === 'string' ? input.split(/\r?\n/) : [...input];
  if (typeof input === 'string' && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Checks output (text or lines) against an expectation; never throws for a failed assertion. */
export function checkOutput(input: string | Iterable<string>, expectation: OutputExpectation): OutputCheckResult {
  const lines = toLines(input);
  const text = lines.join('\n');
  const failures: string[] = [];
  const summaries: string[] = [];
  let observed = lines.length;

  if (expectation.eachMatch !== undefined) {
    const re = compile(expectation.eachMatch, 'eachMatch');
    const { greaterThan, lessThan, equals } = expectation;
    const atLeast = expectation.atLeast ?? 1;
    const numeric = greaterThan !== undefined || lessThan !== undefined || equals !== undefined;
    let matched = 0;
    for (const line of lines) {
      const m = re.exec(line);
      if (!m) continue;
      matched++;
      if (!numeric) continue;
      const raw = m.groups?.['value'] ?? m[1];
      const value = raw === undefined ? NaN : Number(raw);
      const where = line.trim();
      if (raw === undefined || raw.trim() === '' || !Number.isFinite(value)) {
        failures.push(`${where} → ${JSON.stringify(raw ?? '')} is not a number`);
        continue;
      }
      if (greaterThan !== undefined && !(value > greaterThan)) failures.push(`${where} → ${raw} is not > ${greaterThan}`);
      if (lessThan !== undefined && !(value < lessThan)) failures.push(`${where} → ${raw} is not < ${lessThan}`);
      if (equals !== undefined && value !== equals) failures.push(`${where} → ${raw} is not = ${equals}`);
    }
    observed = matched;
    if (matched < atLeast) {
      failures.push(`${matched} line${matched === 1 ? '' : 's'} match ${expectation.eachMatch}, expected at least ${atLeast}`);
    }
    const bounds = [
      greaterThan !== undefined ? `> ${greaterThan}` : '',
      lessThan !== undefined ? `< ${lessThan}` : '',
      equals !== undefined ? `= ${equals}` : '',
    ].filter(Boolean);
    summaries.push(`${matched} line${matched === 1 ? '' : 's'} match ${expectation.eachMatch}${bounds.length ? `, all ${bounds.join(' and ')}` : ''}`);
  }

  for (const needle of expectation.contains ?? []) {
    if (!text.includes(needle)) failures.push(`output does not contain ${JSON.stringify(needle)}`);
  }
  if (expectation.contains?.length) summaries.push(`contains ${expectation.contains.map((s) => JSON.stringify(s)).join(', ')}`);

  for (const needle of expectation.notContains ?? []) {
    const at = lines.findIndex((l) => l.includes(needle));
    if (at >= 0) failures.push(`output contains ${JSON.stringify(needle)} (line ${at + 1}: ${(lines[at] as string).trim()})`);
  }
  if (expectation.notContains?.length) summaries.push(`does not contain ${expectation.notContains.map((s) => JSON.stringify(s)).join(', ')}`);

  if (expectation.matches !== undefined) {
    if (!compile(expectation.matches, 'matches', 'm').test(text)) failures.push(`output does not match ${expectation.matches}`);
    else summaries.push(`matches ${expectation.matches}`);
  }
  if (expectation.notMatches !== undefined) {
    const m = compile(expectation.notMatches, 'notMatches', 'm').exec(text);
    if (m) failures.push(`output matches ${expectation.notMatches} (${JSON.stringify(m[0].trim())})`);
    else summaries.push(`does not match ${expectation.notMatches}`);
  }

  const passed = failures.length === 0;
  const detail = passed
    ? summaries.join('; ')
    : `${failures[0]}${failures.length > 1 ? ` (+${failures.length - 1} more)` : ''}`;
  return { passed, detail, failures, matched: observed };
}
