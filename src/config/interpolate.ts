import type { ConfigIssue } from '../common/errors.js';

/**
 * `${VAR}`, `${VAR:-default}` (default when unset or empty), `${VAR-default}` (when unset),
 * `${VAR:?message}` (required) and `$$` (a literal `$`), as in Docker Compose. An unset
 * `${VAR}` becomes the empty string, like Compose does.
 */
const PATTERN = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*)|(:?\?)([^}]*))?\}/g;

export function interpolateString(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  where: string,
  issues: ConfigIssue[],
): string {
  return text.replace(PATTERN, (match, name: string | undefined, dashOp: string | undefined, fallback: string | undefined, qOp: string | undefined, message: string | undefined) => {
    if (match === '$$') return '$';
    const value = env[name as string];
    if (dashOp !== undefined) {
      const useDefault = dashOp === ':-' ? value === undefined || value === '' : value === undefined;
      return useDefault ? (fallback ?? '') : (value as string);
    }
    if (qOp !== undefined) {
      const missing = qOp === ':?' ? value === undefined || value === '' : value === undefined;
      if (missing) {
        issues.push({ where, message: `environment variable ${name} is required${message ? `: ${message}` : ''}` });
        return '';
      }
    }
    return value ?? '';
  });
}

/** Interpolates every string in a parsed YAML tree; keys are left alone. */
export function interpolateTree(
  node: unknown,
  env: Readonly<Record<string, string | undefined>>,
  issues: ConfigIssue[],
  path = '',
): unknown {
  if (typeof node === 'string') return interpolateString(node, env, path || '(root)', issues);
  if (Array.isArray(node)) return node.map((item, i) => interpolateTree(item, env, issues, `${path}[${i}]`));
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) out[key] = interpolateTree(value, env, issues, path ? `${path}.${key}` : key);
    return out;
  }
  return node;
}
