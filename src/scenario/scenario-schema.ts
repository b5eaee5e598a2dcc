import { z } from 'zod';
import { scriptArgumentIndexes } from '../common/script-arguments.js';
import { contentExpectationSchema } from '../checks/http-answer.js';
import { durationMs, jsonPathSchema } from '../common/schema-parts.js';
import { parseCondition } from './step-condition.js';
import { templateVariables, templateVariablesDeep } from './template.js';

/** Names the runner provides itself; captures may not shadow them. */
export const RESERVED_NAMES = ['env', 'cookie', 'baseUrl', 'run', 'runs'] as const;
const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Every scenario duration is read once, at load: the runner gets milliseconds. */
const duration = durationMs();

const headers = z.record(z.string(), z.string()).describe('HTTP headers; values may use {{…}} templates.');

const statusCode = z.int().min(100).max(599);

const retrySchema = z
  .strictObject({
    attempts: z.int().min(1).max(100).describe('Total attempts, the first included (3 = up to 2 retries).'),
    interval: durationMs({ default: '1s' }).describe('Pause between attempts.'),
  })
  .describe('Retry a failed step (status, capture, assert or network error; never a template error).');

const captureSchema = z.union([
  jsonPathSchema().describe('JSONPath; the first match is captured.'),
  z.strictObject({
    path: jsonPathSchema().describe('JSONPath; the first match is captured.'),
    secret: z.boolean().default(false).describe('Register the value for redaction before anything is logged.'),
  }),
]);

const assertSchema = z
  .strictObject({
    path: jsonPathSchema().describe('JSONPath into the response; `$.length` for a bare list, `$[count,length]` for "a DRF page or a list".'),
    exists: z.boolean().optional().describe('true: the path matches something; false: it matches nothing.'),
    equals: z.unknown().optional().describe('The first match deep-equals this JSON value.'),
    greaterThan: z.number().optional().describe('The first match is a number greater than this.'),
    lessThan: z.number().optional().describe('The first match is a number less than this.'),
  })
  .refine((a) => a.exists !== undefined || a.equals !== undefined || a.greaterThan !== undefined || a.lessThan !== undefined, {
    message: 'an assertion needs at least one of exists, equals, greaterThan, lessThan',
  })
  .describe('A check on the JSON response body.');

const requestSchema = z
  .strictObject({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']).default('GET').describe('HTTP method.'),
    url: z.string().min(1).describe('Absolute URL or a path joined to the base URL (`/api/exams/{{exam}}/`).'),
    headers: headers.optional(),
    json: z.unknown().optional().describe('JSON body (sets Content-Type: application/json); strings are templated, "{{x}}" alone keeps x\'s type.'),
  })
  .describe('The HTTP request of the step. Redirects are not followed (the status is checked as is).');

const latencySchema = z
  .strictObject({
    p50: duration.optional().describe('Budget of the median over every execution of the step.'),
    p95: duration.optional().describe('Budget of the 95th percentile (nearest rank: with fewer than 20 runs, the slowest).'),
    max: duration.optional().describe('Budget of the slowest execution.'),
  })
  .refine((l) => l.p50 !== undefined || l.p95 !== undefined || l.max !== undefined, { message: 'a latency budget needs at least one of p50, p95, max' })
  .describe('Latency budget over the runs (e.g. `{ p95: 300ms }`): exceeding it fails the scenario and its criterion.');

const execSchema = z
  .strictObject({
    service: z.string().min(1).describe('Service to run the command in (the stack driver\'s exec).'),
    run: z
      .array(z.string())
      .min(1)
      .superRefine((argv, ctx) => {
        // A captured value comes from the app's answers: spliced into a script it would run as code.
        for (const index of scriptArgumentIndexes(argv)) {
          if (argv[index]?.includes('{{')) {
            ctx.addIssue({ code: 'custom', path: [index], message: 'a {{…}} template inside a script (after -c / -e) would run a captured value as code; pass it as its own argv item and read it from there' });
          }
        }
      })
      .describe('argv, no shell; each item may use {{…}} templates (never inside a script after -c / -e).'),
  })
  .describe('Run a command in a service, e.g. a reset between runs.');

const stepSchema = z
  .strictObject({
    name: z.string().regex(NAME, 'letters, digits, _ and -, starting with a letter or _').describe('Step name, used in logs and failures.'),
    criterion: z.string().min(1).optional().describe('Criterion id this step proves; it passes iff every execution of such steps passes.'),
    if: z
      .string()
      .refine((text) => parseCondition(text) !== null, { message: 'expected `name`, `!name`, `name == value` or `name != value`' })
      .optional()
      .describe('Run only when this holds: `name` (set), `!name` (not set), `name == value`, `name != value`; skipped otherwise.'),
    hints: z
      .record(z.string().regex(/^\d{3}$/, 'an HTTP status such as "404"'), z.string().min(1))
      .optional()
      .describe('What to tell the user when the step fails with this status (status → hint), e.g. a switch to set.'),
    timeout: duration.optional().describe('Budget of each attempt (all pages included); default defaults.timeout.'),
    retry: retrySchema.optional(),
    allowRetries: z
      .string()
      .min(1)
      .optional()
      .describe('Why passing only after a retry is acceptable for this step; without it such a pass fails the scenario. Shown as a deviation.'),
    latency: latencySchema.optional(),
    request: requestSchema.optional(),
    exec: execSchema.optional(),
    expect: contentExpectationSchema
      .extend({
        status: z.union([statusCode, z.array(statusCode).min(1)]).optional().describe('Accepted status code(s); default any 2xx.'),
        exitCode: z.int().optional().describe('Expected exit code of an exec step; default 0.'),
      })
      .optional()
      .describe('What the response or command must return.'),
    capture: z
      .record(z.string(), captureSchema)
      .optional()
      .describe('Values to keep for later steps: name → JSONPath (or { path, secret }).'),
    assert: z.array(assertSchema).optional().describe('Checks on the JSON response (on the page where pagination stopped).'),
    paginate: z
      .strictObject({
        next: jsonPathSchema().default('$.next').describe('JSONPath of the next page URL (DRF: $.next); null or absent ends the pages.'),
        maxPages: z.int().min(1).default(100).describe('Stop with a failure after this many pages.'),
      })
      .optional()
      .describe('Follow next links until every capture is found (or through all pages when there are none).'),
  })
  .superRefine((step, ctx) => {
    if ((step.request === undefined) === (step.exec === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a step needs exactly one of request or exec' });
    }
    if (step.exec) {
      for (const key of ['capture', 'assert', 'paginate'] as const) {
        if (step[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `${key} applies to request steps only` });
      }
      if (step.expect?.status !== undefined) ctx.addIssue({ code: 'custom', path: ['expect', 'status'], message: 'status applies to request steps; use exitCode' });
    }
    if (step.request && step.expect?.exitCode !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['expect', 'exitCode'], message: 'exitCode applies to exec steps; use status' });
    }
    for (const name of Object.keys(step.capture ?? {})) {
      if (!NAME.test(name) || (RESERVED_NAMES as readonly string[]).includes(name)) {
        ctx.addIssue({ code: 'custom', path: ['capture', name], message: `capture name must match ${NAME} and not be one of ${RESERVED_NAMES.join(', ')}` });
      }
    }
  })
  .describe('One scenario step: an HTTP request or a command in a service.');

const stepList = z.array(stepSchema);

export const scenarioSchema = z
  .strictObject({
    title: z.string().min(1).default('E2E').describe('Name in banners and the closing line: "E2E RUN 1/3", "✅ E2E: 3/3 RUNS PASSED".'),
    runs: z.int().min(1).default(1).describe('How many times the `each` steps (then `finally`) are run.'),
    defaults: z
      .strictObject({
        timeout: durationMs({ default: '30s' }).describe('Per-attempt budget of a step without its own timeout.'),
        headers: headers.optional().describe('Headers added to every request.'),
        unsafeHeaders: headers.optional().describe('Headers added to POST/PUT/PATCH/DELETE, e.g. X-CSRFToken and Referer.'),
        latency: latencySchema.optional().describe('Latency budget of every step without its own `latency:`.'),
      })
      // prefault: the object goes through the schema, so its timeout gets its default, in ms.
      .prefault({})
      .describe('Settings shared by every step.'),
    setup: stepList.prefault([]).describe('Steps run once before the runs (login…); their captures persist.'),
    each: stepList.min(1).describe('Steps of one run, repeated `runs` times; captures reset between runs; the first failure ends the run.'),
    finally: stepList.prefault([]).describe('Steps run after each run, even a failed one (release a lock, reset state); all are attempted.'),
    teardown: stepList.prefault([]).describe('Steps run once after the runs, even after a failure (logout…).'),
  })
  .superRefine(checkTemplateNames)
  .superRefine(checkUniqueNames)
  .describe('An HTTP scenario: cookie jar across steps, templated requests, captures, asserts, pagination, runs.');

export type ScenarioConfig = z.infer<typeof scenarioSchema>;
export type StepConfig = z.infer<typeof stepSchema>;
export type AssertConfig = z.infer<typeof assertSchema>;
export type CaptureConfig = z.infer<typeof captureSchema>;

type ListName = 'setup' | 'each' | 'finally' | 'teardown';
type TemplateCheckInput = Record<ListName, StepConfig[]> & {
  defaults: { headers?: Record<string, string> | undefined; unsafeHeaders?: Record<string, string> | undefined };
};

/**
 * Catches misspelt template names before anything runs (a gate may spend ten minutes
 * building before it reaches the scenario). A step may use the captures of the steps
 * before it; `finally` sees every capture of `each` (unset ones fail at run time, or
 * are guarded with `if`).
 */
function checkTemplateNames(config: TemplateCheckInput, ctx: z.RefinementCtx): void {
  const capturesOf = (steps: StepConfig[]) => steps.flatMap((s) => Object.keys(s.capture ?? {}));
  const setup = capturesOf(config.setup);
  const each = capturesOf(config.each);
  const fin = capturesOf(config.finally);
  const allCaptures = new Set([...setup, ...each, ...fin, ...capturesOf(config.teardown)]);

  const known = (name: string, captures: Iterable<string>, inRun: boolean): boolean =>
    name.startsWith('env.') || name.startsWith('cookie.') || name === 'baseUrl' || (inRun && (name === 'run' || name === 'runs')) || new Set(captures).has(name);

  for (const [where, value] of [['headers', config.defaults.headers], ['unsafeHeaders', config.defaults.unsafeHeaders]] as const) {
    for (const name of templateVariablesDeep(value ?? {})) {
      if (!known(name, allCaptures, true)) ctx.addIssue({ code: 'custom', path: ['defaults', where], message: `unknown template variable "${name}"` });
    }
  }

  const lists: [ListName, string[], boolean][] = [
    ['setup', [], false],
    ['each', setup, true],
    ['finally', [...setup, ...each], true],
    ['teardown', setup, false],
  ];
  for (const [list, inherited, inRun] of lists) {
    const seen = [...inherited];
    config[list].forEach((step, index) => {
      const refs: [string[], (string | number)[]][] = [
        [step.request ? templateVariables(step.request.url) : [], ['request', 'url']],
        [templateVariablesDeep(step.request?.headers ?? {}), ['request', 'headers']],
        [templateVariablesDeep(step.request?.json ?? null), ['request', 'json']],
        [templateVariablesDeep(step.exec?.run ?? []), ['exec', 'run']],
        [step.if === undefined ? [] : [parseCondition(step.if)?.name ?? step.if], ['if']],
      ];
      for (const [names, path] of refs) {
        for (const name of names) {
          if (known(name, seen, inRun)) continue;
          const hint = allCaptures.has(name) ? ' (captured by a step that does not run before this one)' : inRun || (name !== 'run' && name !== 'runs') ? '' : ' (run/runs exist in each and finally steps only)';
          ctx.addIssue({ code: 'custom', path: [list, index, ...path], message: `unknown template variable "${name}" in step ${step.name}${hint}` });
        }
      }
      seen.push(...Object.keys(step.capture ?? {}));
    });
  }
}

/** Step names identify steps in failures and criteria, so they are unique across lists. */
function checkUniqueNames(config: Record<ListName, StepConfig[]>, ctx: z.RefinementCtx): void {
  const seen = new Map<string, string>();
  for (const list of ['setup', 'each', 'finally', 'teardown'] as const) {
    config[list].forEach((step, index) => {
      const first = seen.get(step.name);
      if (first) ctx.addIssue({ code: 'custom', path: [list, index, 'name'], message: `duplicate step name "${step.name}" (also ${first})` });
      else seen.set(step.name, `${list}[${index}]`);
    });
  }
}

/** `each[1].request.method` from a zod issue path. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
  return out || '(root)';
}
