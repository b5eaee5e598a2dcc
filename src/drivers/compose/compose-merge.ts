/**
 * Several compose files (`-f a.yml -f b.yml`) merged in order, as compose merges them, for the
 * YAML path of `init` (without a compose CLI). Only what the generated gate reads needs to be
 * right: a later file's mapping keys win one by one, its `ports` (and `expose`) add to the
 * earlier ones, any other list or scalar replaces (compose replaces `command` and
 * `healthcheck.test` too).
 */
export function mergeComposeTrees(trees: readonly unknown[]): unknown {
  return trees.reduce((merged, next) => mergeNode(merged, next, ''), undefined);
}

/** Lists compose appends to (each entry once) instead of replacing. */
const APPENDED = new Set(['ports', 'expose']);

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function mergeNode(base: unknown, over: unknown, key: string): unknown {
  if (over === undefined) return base;
  if (isMapping(base) && isMapping(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = mergeNode(base[k], v, k);
    return out;
  }
  if (APPENDED.has(key) && Array.isArray(base) && Array.isArray(over)) {
    const seen = new Set(base.map((p) => JSON.stringify(p)));
    return [...base, ...over.filter((p) => !seen.has(JSON.stringify(p)))];
  }
  return over;
}
