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
