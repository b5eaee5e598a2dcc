import type { ConfigIssue } from '../common/errors.js';

/**
 * `${VAR}`, `${VAR:-default}` (default when unset or empty), `${VAR-default}` (when unset),
 * `${VAR:?message}` (required) and `$$` (a literal `$`), as in Docker Compose. An unset
 * `${VAR}` becomes the empty string, like Compose does. Defaults may nest:
 * `${NGINX_BASE_URL:-http://127.0.0.1:${PORT:-8088}}` (innermost first).
 */
const INNERMOST = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^${}]*)|(:?\?)([^${}]*))?\}/g;
/** Stands for an escaped `$$` while the passes run, so it never starts an expression. */
const ESCAPED_DOLLAR = '\u0000';
const MAX_NESTING = 5;

export function interpolateString(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  where: string,
  issues: ConfigIssue[],
): string {
  let out = text.replaceAll('$$', ESCAPED_DOLLAR);
  for (let pass = 0; pass < MAX_NESTING && out.includes('${'); pass++) {
    const next = out.replace(INNERMOST, (_match, name: string, dashOp: string | undefined, fallback: string | undefined, qOp: string | undefined, message: string | undefined) =>
      resolveOne(name, dashOp, fallback, qOp, message, env, where, issues),
    );
    if (next === out) break;
    out = next;
  }
  // What is left is no expression this syntax knows (`${X`, `${1}`, `${X#y}`): Compose refuses
  // it too, and passed on as is it ends as "Invalid URL" or a wrong value, naming nothing.
  const left = out.indexOf('${');
  if (left >= 0) {
    const bad = out.slice(left, out.indexOf('}', left) + 1 || undefined).replaceAll(ESCAPED_DOLLAR, '$$');
    issues.push({
      where,
      message: `invalid interpolation "${bad.length > 40 ? `${bad.slice(0, 37)}...` : bad}" in "${text.length > 80 ? `${text.slice(0, 77)}...` : text}"; allowed: \${VAR}, \${VAR:-default}, \${VAR-default}, \${VAR:?message}, and $$ for a literal $`,
    });
  }
  return out.replaceAll(ESCAPED_DOLLAR, '$');
}

function resolveOne(
  name: string,
  dashOp: string | undefined,
  fallback: string | undefined,
  qOp: string | undefined,
  message: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  where: string,
  issues: ConfigIssue[],
): string {
  const value = env[name];
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
}

/** Interpolates every string in a parsed YAML tree; keys are left alone. Issues carry their YAML path. */
export function interpolateTree(
  node: unknown,
  env: Readonly<Record<string, string | undefined>>,
  issues: ConfigIssue[],
  path: (string | number)[] = [],
): unknown {
  if (typeof node === 'string') {
    const own: ConfigIssue[] = [];
    const out = interpolateString(node, env, formatYamlPath(path) || '(root)', own);
    for (const issue of own) issues.push({ ...issue, path });
    return out;
  }
  if (Array.isArray(node)) return node.map((item, i) => interpolateTree(item, env, issues, [...path, i]));
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) out[key] = interpolateTree(value, env, issues, [...path, key]);
    return out;
  }
  return node;
}

function formatYamlPath(path: (string | number)[]): string {
  return path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}
