import { UsageError } from './errors.js';

/**
 * App generations korrigo-lite can behave as (env KORRIGO_LITE_GENERATION):
 * `v1` is Korrigo v1.0.0 as the seed describes it (lock routes, csrftoken on any GET);
 * `current` is a later checkout (no lock routes, CSRF cookie only from /api/csrf/, METRICS_TOKEN required).
 */
export const GENERATIONS = ['v1', 'current'] as const;

export type Generation = (typeof GENERATIONS)[number];

export const DEFAULT_GENERATION: Generation = 'v1';

/** Parses KORRIGO_LITE_GENERATION; empty means v1, an unknown value is a usage error (exit 2). */
export function parseGeneration(value: string | undefined): Generation {
  const name = (value ?? '').trim();
  if (name === '') return DEFAULT_GENERATION;
  if ((GENERATIONS as readonly string[]).includes(name)) return name as Generation;
  throw new UsageError(`KORRIGO_LITE_GENERATION: unknown generation "${name}"; allowed: ${GENERATIONS.join(', ')}`);
}
