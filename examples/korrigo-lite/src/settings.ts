import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from './errors.js';
import { checkSchemaName } from './schema-name.js';
import { parseFaults, type FaultName } from './faults.js';
import { parseGeneration, type Generation } from './generation.js';
import { parseRelease, type Release } from './release.js';

/** Runtime configuration, read from the environment once per command. */
export interface Settings {
  /** PostgreSQL connection string (DATABASE_URL). */
  databaseUrl: string;
  /** HTTP port of `serve` (PORT). */
  port: number;
  /** HTTP bind address of `serve` (HOST). */
  host: string;
  /** Folder holding the page images (MEDIA_ROOT). */
  mediaRoot: string;
  /** Page size of GET /api/exams/<id>/copies/ (COPIES_PAGE_SIZE). */
  copiesPageSize: number;
  /** When set, /metrics requires it as X-Metrics-Token or ?token= (METRICS_TOKEN). */
  metricsToken: string | undefined;
  /** Redis for login throttling; in-memory when unset (REDIS_URL). */
  redisUrl: string | undefined;
  /** Which Korrigo the backend behaves as: v1 (default) or current (KORRIGO_LITE_GENERATION). */
  generation: Generation;
  /** Which release runs: v2, the candidate (default), or v1, the previous one (KORRIGO_LITE_RELEASE). */
  release: Release;
  /** Active fault switches (KORRIGO_LITE_FAULT). */
  faults: ReadonlySet<FaultName>;
  /** Where crash-once remembers that it already crashed (KORRIGO_LITE_STATE_DIR). */
  stateDir: string;
  /** The schema `fingerprint` and `backup` read instead of public: a restored copy (KORRIGO_LITE_DB_SCHEMA). */
  dbSchema: string | undefined;
}

export const DEFAULT_DATABASE_URL = 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new UsageError(`${name}: expected a positive integer, got "${raw}"`);
  }
  return value;
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const databaseUrl = env['DATABASE_URL'] || DEFAULT_DATABASE_URL;
  const port = positiveInt(env, 'PORT', 8000);
  // Default state dir is per database and port, so two stacks on one machine never share a marker.
  const stateKey = createHash('sha256').update(`${databaseUrl}|${port}`).digest('hex').slice(0, 12);
  return {
    databaseUrl,
    port,
    host: env['HOST'] || '127.0.0.1',
    mediaRoot: resolve(env['MEDIA_ROOT'] || 'media'),
    copiesPageSize: positiveInt(env, 'COPIES_PAGE_SIZE', 20),
    metricsToken: env['METRICS_TOKEN'] || undefined,
    redisUrl: env['REDIS_URL'] || undefined,
    generation: parseGeneration(env['KORRIGO_LITE_GENERATION']),
    release: parseRelease(env['KORRIGO_LITE_RELEASE']),
    faults: parseFaults(env['KORRIGO_LITE_FAULT']),
    stateDir: env['KORRIGO_LITE_STATE_DIR'] || join(tmpdir(), `korrigo-lite-${stateKey}`),
    dbSchema: env['KORRIGO_LITE_DB_SCHEMA'] ? checkSchemaName(env['KORRIGO_LITE_DB_SCHEMA'], 'KORRIGO_LITE_DB_SCHEMA') : undefined,
  };
}
