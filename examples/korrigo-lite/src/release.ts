import { UsageError } from './errors.js';
import type { FaultName } from './faults.js';
import { MIGRATIONS, type Migration } from './migrations.js';

/**
 * The releases korrigo-lite can run as (env KORRIGO_LITE_RELEASE), so a gate can drill an upgrade
 * on one build: `v1` is the previous release (migrations 0001–0003, the exam session derived
 * from its date on every read); `v2` is the candidate (default), whose migration 0004 stores the
 * session in a NOT NULL column backfilled from the existing rows.
 */
export const RELEASES = ['v1', 'v2'] as const;

export type Release = (typeof RELEASES)[number];

export const CANDIDATE_RELEASE: Release = 'v2';

/** Parses KORRIGO_LITE_RELEASE; empty means the candidate, an unknown value is a usage error (exit 2). */
export function parseRelease(value: string | undefined): Release {
  const name = (value ?? '').trim();
  if (name === '') return CANDIDATE_RELEASE;
  if ((RELEASES as readonly string[]).includes(name)) return name as Release;
  throw new UsageError(`KORRIGO_LITE_RELEASE: unknown release "${name}"; allowed: ${RELEASES.join(', ')}`);
}

/**
 * v2's 0004 as a careless author writes it: the NOT NULL column without its backfill. On an empty
 * database it applies (a fresh install sees nothing); on v1's rows PostgreSQL refuses it.
 */
const EXAM_SESSION_WITHOUT_BACKFILL: Migration = {
  version: '0004',
  name: 'exam_session',
  models: ['exams.Exam'],
  sql: 'ALTER TABLE exams ADD COLUMN session text NOT NULL;',
};

/** The migrations a release knows; the fault upgrade-breaks-data swaps 0004 for its careless twin. */
export function migrationsOf(release: Release, faults: ReadonlySet<FaultName>): readonly Migration[] {
  if (release === 'v1') return MIGRATIONS.filter((m) => m.version < '0004');
  if (!faults.has('upgrade-breaks-data')) return MIGRATIONS;
  return MIGRATIONS.map((m) => (m.version === '0004' ? EXAM_SESSION_WITHOUT_BACKFILL : m));
}

/** How a release reads an exam's session: v1 derives it from the date, v2 reads its stored column. */
export function examSessionSql(release: Release, alias: string): string {
  return release === 'v1' ? `to_char(${alias}.exam_date, 'YYYY')` : `${alias}.session`;
}
