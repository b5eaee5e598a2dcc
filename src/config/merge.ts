/**
 * Deep merge for `extends`: objects merge key by key; `phases` merge by phase id and their
 * `steps` by step id (or log name), keeping the parent's order; a new
 * one lands before the next restated existing one, else at the end; other
 * arrays are replaced. A `stack` whose driver differs from the parent's replaces it whole,
 * since a local stack shares no field with a compose one.
 */
export function mergeConfig(base: unknown, override: unknown, key = ''): unknown {
  if (override === undefined) return base;
  if (key === 'phases' || key === 'steps') return mergeById(base, override, key === 'phases' ? phaseKey : stepKey);
  if (isPlainObject(base) && isPlainObject(override)) {
    if (key === 'stack' && override['driver'] !== undefined && override['driver'] !== base['driver']) return override;
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(override)) out[k] = mergeConfig(base[k], v, k);
    return out;
  }
  return override;
}

function mergeById(base: unknown, override: unknown, keyOf: (item: unknown) => string | undefined): unknown {
  if (!Array.isArray(base) || !Array.isArray(override)) return override;
  const out = [...base];
  // A new item goes right before the next override item that names an existing one (so a
  // file can put a step before a parent's step by restating that step after it); new items
  // with no existing one after them are appended.
  let pending: unknown[] = [];
  for (const item of override) {
    const id = keyOf(item);
    const index = id === undefined ? -1 : out.findIndex((existing) => keyOf(existing) === id);
    if (index < 0) {
      pending.push(item);
      continue;
    }
    out[index] = mergeConfig(out[index], item, '');
    if (pending.length > 0) {
      out.splice(index, 0, ...pending);
      pending = [];
    }
  }
  out.push(...pending);
  return out;
}

const phaseKey = (item: unknown) => (isPlainObject(item) && typeof item['id'] === 'string' ? item['id'] : undefined);
const stepKey = (item: unknown) => {
  if (!isPlainObject(item)) return undefined;
  if (typeof item['id'] === 'string') return item['id'];
  return typeof item['log'] === 'string' ? item['log'] : undefined;
};

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
