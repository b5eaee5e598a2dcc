import { UsageError } from './errors.js';

/** Every fault switch understood by korrigo-lite (env KORRIGO_LITE_FAULT, comma-separated). */
export const FAULT_NAMES = [
  'zero-pages',
  'annotation-400',
  'metrics-forbidden',
  'metrics-public',
  'seed-not-idempotent',
  'crash-once',
  'crash-loop',
  'health-503',
  'migrate-fail',
  'pending-migration',
  'error-log',
  'fail-test',
  'skip-test',
  'lock-409',
  // The backup leaves the pages table out (the restore drill's sample fault).
  'restore-differs',
  // The backend ignores SIGTERM (the shutdown check's sample fault).
  'ignore-sigterm',
  // v2's migration adds a NOT NULL column without its backfill (the upgrade drill's sample fault).
  'upgrade-breaks-data',
] as const;

export type FaultName = (typeof FAULT_NAMES)[number];

/** Parses KORRIGO_LITE_FAULT; an unknown name is a usage error so a typo never silently disables a fault. */
export function parseFaults(value: string | undefined): ReadonlySet<FaultName> {
  const faults = new Set<FaultName>();
  const unknown: string[] = [];
  for (const raw of (value ?? '').split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    if ((FAULT_NAMES as readonly string[]).includes(name)) faults.add(name as FaultName);
    else unknown.push(name);
  }
  if (unknown.length > 0) {
    throw new UsageError(
      `KORRIGO_LITE_FAULT: unknown fault(s) ${unknown.map((n) => `"${n}"`).join(', ')}; allowed: ${FAULT_NAMES.join(', ')}`,
    );
  }
  return faults;
}
