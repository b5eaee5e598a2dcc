import type { ConfigIssue } from '../common/errors.js';

/**
 * `${VAR}`, `${VAR:-default}` (default when unset or empty), `${VAR-default}` (when unset),
 * `${VAR:?message}` / `${VAR?message}` (required) and `$$` (a literal `$`), as in Docker
 * Compose, with one difference that is the point: an unset `${VAR}` is an error, never an
 * empty string. `dataDirs: ["${DATA_DIR}"]` with DATA_DIR unset once became the project root
 * and was removed. `${VAR:-}` says "empty on purpose". Defaults may nest, and a default is
 * only evaluated when it is used: `${NGINX_BASE_URL:-http://127.0.0.1:${PORT:-8088}}`.
 */
export interface InterpolationOptions {
  /**
   * `error` (the default): an unset `${VAR}` is a config problem. `empty`: it becomes "" —
   * only for a first, provisional load that reads which secrets to generate; the run's own
   * load is always strict.
   */
  unset?: 'error' | 'empty';
  /** Told each unset `${VAR}` met in `empty` mode (the load is then provisional). */
  onUnset?: (name: string) => void;
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const ALLOWED = '${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, and $$ for a literal $';

/** Thrown inside the parser for a form this syntax does not know; caught once per string. */
class InvalidForm {
  constructor(readonly at: number) {}
}

export function interpolateString(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  where: string,
  issues: ConfigIssue[],
  opts: InterpolationOptions = {},
): string {
  if (!text.includes('$')) return text;
  const unsetIsError = (opts.unset ?? 'error') === 'error';
  const own: ConfigIssue[] = [];

  /** Expands from `i` up to the end, or up to the `}` closing the expression we are in. */
  const expand = (i: number, nested: boolean, evaluate: boolean): { out: string; end: number } => {
    let out = '';
    while (i < text.length) {
      if (text.startsWith('$$', i)) {
        out += '$';
        i += 2;
      } else if (text.startsWith('${', i)) {
        const expr = expression(i, evaluate);
        out += expr.out;
        i = expr.end;
      } else if (nested && text[i] === '}') {
        return { out, end: i };
      } else {
        out += text[i];
        i++;
      }
    }
    if (nested) throw new InvalidForm(-1);
    return { out, end: i };
  };

  /** One `${…}` starting at `start`; `evaluate` is false inside a default that is not used. */
  const expression = (start: number, evaluate: boolean): { out: string; end: number } => {
    NAME.lastIndex = start + 2;
    const match = NAME.exec(text);
    if (!match) throw new InvalidForm(start);
    const name = match[0];
    let i = start + 2 + name.length;
    const value = env[name];
    if (text[i] === '}') {
      if (evaluate && value === undefined && !unsetIsError) opts.onUnset?.(name);
      if (evaluate && value === undefined && unsetIsError) {
        own.push({
          where,
          message: `environment variable ${name} is not set; set it, or write \${${name}:-} for an explicitly empty value or \${${name}:-default}`,
        });
      }
      return { out: value ?? '', end: i + 1 };
    }
    const op = ([':-', '-', ':?', '?'] as const).find((candidate) => text.startsWith(candidate, i));
    if (!op) throw new InvalidForm(start);
    i += op.length;
    const missing = op.startsWith(':') ? value === undefined || value === '' : value === undefined;
    // The argument is expanded only when it is used (a default for a missing value, a message).
    const argument = expand(i, true, evaluate && missing);
    const end = argument.end + 1;
    if (op === ':-' || op === '-') return { out: missing ? argument.out : (value as string), end };
    if (evaluate && missing) own.push({ where, message: `environment variable ${name} is required${argument.out ? `: ${argument.out}` : ''}` });
    return { out: value ?? '', end };
  };

  try {
    const { out } = expand(0, false, true);
    issues.push(...own);
    return out;
  } catch (err) {
    if (!(err instanceof InvalidForm)) throw err;
    // A form this syntax does not know (`${X`, `${1}`, `${X#y}`): Compose refuses it too, and
    // passed on as is it ends as "Invalid URL" or a wrong value, naming nothing.
    const from = err.at >= 0 ? err.at : text.lastIndexOf('${');
    const close = text.indexOf('}', from);
    const bad = text.slice(from, close >= 0 ? close + 1 : undefined);
    issues.push({
      where,
      message: `invalid interpolation "${bad.length > 40 ? `${bad.slice(0, 37)}...` : bad}" in "${text.length > 80 ? `${text.slice(0, 77)}...` : text}"; allowed: ${ALLOWED}`,
    });
    return text;
  }
}

/** True when a raw (not yet interpolated) string holds a `${…}` expression (`$${…}` is an escaped literal). */
export function hasInterpolation(raw: string): boolean {
  return raw.replaceAll('$$', '').includes('${');
}

/** Interpolates every string in a parsed YAML tree; keys are left alone. Issues carry their YAML path. */
export function interpolateTree(
  node: unknown,
  env: Readonly<Record<string, string | undefined>>,
  issues: ConfigIssue[],
  path: (string | number)[] = [],
  opts: InterpolationOptions = {},
): unknown {
  if (typeof node === 'string') {
    const own: ConfigIssue[] = [];
    const out = interpolateString(node, env, formatYamlPath(path) || '(root)', own, opts);
    for (const issue of own) issues.push({ ...issue, path });
    return out;
  }
  if (Array.isArray(node)) return node.map((item, i) => interpolateTree(item, env, issues, [...path, i], opts));
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) out[key] = interpolateTree(value, env, issues, [...path, key], opts);
    return out;
  }
  return node;
}

function formatYamlPath(path: (string | number)[]): string {
  return path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}
