import { Redactor } from '../common/redactor.js';
import type { ConfigIssue } from '../common/errors.js';
import type { GateConfig } from '../config/schema.js';

/**
 * Declared secrets whose value is too short for the redactor (it skips values under
 * `Redactor.MIN_SECRET_LENGTH`: they would blank out ordinary words). Silently printing such a
 * secret everywhere is worse than refusing: the load fails, naming the variable and the minimum,
 * unless `secrets.allowShort` accepts it. An empty value is no secret (an unset token = public).
 * The value and its length are never told.
 */
export function shortSecretProblems(config: GateConfig, env: Record<string, string>): ConfigIssue[] {
  const min = Redactor.MIN_SECRET_LENGTH;
  const accepted = new Set(config.secrets.allowShort);
  const issues: ConfigIssue[] = [];
  for (const name of shortSecrets(config, env)) {
    if (accepted.has(name)) continue;
    issues.push({
      where: `${config.secrets.env.includes(name) ? 'secrets.env' : 'secrets.generate'} ${name}`,
      message: `the value of ${name} is shorter than ${min} characters, the minimum the gate can redact safely (it would be printed in clear); set a value of at least ${min} characters, or accept it unredacted with secrets.allowShort: [${name}]`,
    });
  }
  return issues;
}

/** Declared secrets (env or generate) with a non-empty value under the minimum, accepted or not. */
export function shortSecrets(config: GateConfig, env: Record<string, string>): string[] {
  const names = [...new Set([...config.secrets.env, ...config.secrets.generate])];
  return names.filter((name) => {
    const value = env[name];
    return value !== undefined && value !== '' && value.length < Redactor.MIN_SECRET_LENGTH;
  });
}
