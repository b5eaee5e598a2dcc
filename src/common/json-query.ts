import { JSONPath } from 'jsonpath-plus';

/**
 * Every value a JSONPath matches in json, in document order; [] when nothing matches.
 * Filters such as `$.results[?(@.status=='READY')].id` run in jsonpath-plus's safe
 * evaluator, never through eval. `$.length` gives a bare list's size and
 * `$[count,length]` a DRF page's count or a bare list's size.
 */
export function queryJson(json: unknown, path: string): unknown[] {
  if (json === undefined) return [];
  const result: unknown = JSONPath({ path, json: json as object, wrap: true, eval: 'safe' });
  return Array.isArray(result) ? result : [];
}

/** Parses a response body as JSON; undefined when it is empty or not JSON. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not JSON (an HTML error page, plain text): captures and asserts report "not JSON".
    return undefined;
  }
}

type SafeScriptClass = new (code: string) => unknown;
/** jsonpath-plus's own filter parser (jsep): a filter that compiles here compiles at run time. */
const SafeScript = (JSONPath as unknown as { prototype: { safeVm: { Script: SafeScriptClass } } }).prototype.safeVm.Script;

/**
 * Why a JSONPath cannot work, or null. jsonpath-plus accepts an unclosed `[` or a stray `]`
 * silently (the path then finds nothing) and parses a filter only when it first meets data:
 * both would surface mid-run as "finds nothing" or a crash. Checked here instead: a leading
 * `$`, balanced brackets and parentheses outside quotes, and every `?(…)`/`(…)` expression
 * compiled by the same parser, with the same `@` rewriting the library does.
 */
export function jsonPathProblem(path: string): string | null {
  if (!path.startsWith('$')) return 'a JSONPath starts with $ (e.g. $.results[0].id)';
  const stack: string[] = [];
  let quote: string | null = null;
  for (let i = 0; i < path.length; i++) {
    const c = path[i] as string;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '[' || c === '(') stack.push(c);
    else if (c === ']' || c === ')') {
      const open = stack.pop();
      if (open !== (c === ']' ? '[' : '(')) return `unbalanced "${c}" at character ${i + 1}`;
    }
  }
  if (quote) return `unclosed quote ${quote}`;
  if (stack.length > 0) return `unclosed "${stack[stack.length - 1] as string}"`;
  for (const segment of JSONPath.toPathArray(path)) {
    const expr = /^\??\((.*)\)$/s.exec(segment)?.[1];
    if (expr === undefined) continue;
    const script = expr
      .replaceAll('@parentProperty', '_$_parentProperty')
      .replaceAll('@parent', '_$_parent')
      .replaceAll('@property', '_$_property')
      .replaceAll('@root', '_$_root')
      .replaceAll('@path', '_$_path')
      .replaceAll(/@([.\s)[])/gu, '_$_v$1')
      .replace(/@$/u, '_$_v');
    try {
      new SafeScript(script);
    } catch (err) {
      return `invalid expression "${expr}": ${(err as Error).message}`;
    }
  }
  return null;
}
