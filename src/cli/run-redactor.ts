import { Redactor } from '../common/redactor.js';
import { secretTextsOf, urlCredentials } from '../common/url-credentials.js';
import type { ResolvedRun } from './resolve-run.js';
import { shortSecrets } from './short-secret-problems.js';

/** Variable names whose values are secrets whether the config says so or not. */
const SECRET_NAME = /PASS|TOKEN|SECRET|KEY|CREDENTIAL|DATABASE_URL|DSN/i;

/**
 * The one redactor of a resolved run, for `run`, `selftest` and `plan` alike (plan must hide
 * what run hides): declared and generated secrets, env-file values with a secret-looking name,
 * the configured patterns, and every URL credential of the config and the env file.
 * `notRedacted`: declared secrets too short to redact, accepted by `secrets.allowShort`; the
 * caller says so (names only).
 */
export function runRedactor(run: Pick<ResolvedRun, 'config' | 'env' | 'fromEnvFile'>): { redactor: Redactor; notRedacted: string[] } {
  const redactor = new Redactor();
  for (const name of [...run.config.secrets.env, ...run.config.secrets.generate]) redactor.addSecret(run.env[name]);
  // The env file may hold secrets the config does not name (SECRET_KEY, POSTGRES_PASSWORD…).
  for (const [name, value] of Object.entries(run.fromEnvFile)) if (SECRET_NAME.test(name)) redactor.addSecret(value);
  for (const pattern of run.config.secrets.patterns) redactor.addPattern(pattern);
  // `http://user:pass@host` anywhere in the config (interpolated) or the env file (REDIS_URL…).
  for (const credential of urlCredentials([run.config, Object.values(run.fromEnvFile)])) {
    for (const text of secretTextsOf(credential)) redactor.addSecret(text);
  }
  return { redactor, notRedacted: shortSecrets(run.config, run.env) };
}

/** The console line for secrets accepted short: their names, never their values. */
export function notRedactedNotice(names: string[]): string | null {
  if (names.length === 0) return null;
  return `⚠ not redacted: ${names.join(', ')} (shorter than ${Redactor.MIN_SECRET_LENGTH} characters, accepted by secrets.allowShort): its value may appear in the logs and reports`;
}
