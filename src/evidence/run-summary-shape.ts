import { z } from 'zod';

/*
 * What `compare` reads of a summary.json and a manifest.json, checked before it is used: another
 * tool's JSON, an array or a truncated file is named as such (exit 2), not a TypeError deep in the
 * comparison (which was "unexpected error", exit 1: compare's own "regression" code).
 * Loose objects: newer fields pass; only the fields compare uses are required.
 */

const latencyStep = z.looseObject({ step: z.string(), p50Ms: z.number(), p95Ms: z.number(), maxMs: z.number() });
const serviceResources = z.looseObject({
  service: z.string(),
  memory: z.looseObject({ peakBytes: z.number() }),
  cpu: z.looseObject({ meanPercent: z.number() }).nullable(),
});

/** The fields of summary.json (RunResult) that compare reads. */
export const runSummaryShape = z.looseObject({
  tool: z.looseObject({ name: z.literal('release-gate'), version: z.string() }),
  verdict: z.string(),
  complete: z.boolean(),
  startedAt: z.string(),
  criteria: z.array(z.looseObject({ id: z.string(), title: z.string(), passed: z.boolean(), detail: z.string(), notSelected: z.boolean().optional() })),
  steps: z.array(
    z.looseObject({
      id: z.string(),
      log: z.string(),
      durationMs: z.number().optional(),
      latency: z.looseObject({ steps: z.array(latencyStep) }).optional(),
      resources: z.array(serviceResources).optional(),
    }),
  ),
  counts: z.record(z.string(), z.number()),
});

/** The fields of manifest.json that compare and --baseline read (commit, images and their sizes, build outputs). */
export const manifestShape = z.looseObject({
  source: z.looseObject({ git: z.looseObject({ commit: z.string() }).nullish() }),
  stack: z.looseObject({
    services: z
      .array(
        z.looseObject({
          name: z.string(),
          imageId: z.string().optional(),
          imageSize: z.number().optional(),
          imageLayers: z.number().optional(),
          note: z.string().optional(),
          buildOutputs: z.array(z.looseObject({ path: z.string(), sha256: z.string().nullable() })).optional(),
        }),
      )
      .optional(),
  }),
});

/** The first problem of a value against a shape, as `path: message` (the value itself is never quoted), or null. */
export function firstShapeProblem(shape: z.ZodType, value: unknown): string | null {
  const parsed = shape.safeParse(value);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0];
  if (!issue) return 'does not match';
  const path = issue.path.map(String).join('.') || '(top)';
  return `${path}: ${issue.message}`;
}
