/**
 * Compose's `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `$$`, for the YAML path of `init`
 * (the docker path gets them resolved by compose itself). Only what the generated gate reads.
 */
export function interpolateCompose(text: string, env: Record<string, string | undefined>): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (all, name?: string, colon?: string, def?: string, bare?: string) => {
    if (all === '$$') return '$';
    const key = name ?? bare ?? '';
    const value = env[key];
    if (def !== undefined) return value === undefined || (colon === ':' && value === '') ? def : value;
    return value ?? '';
  });
}

/** Every string of a parsed tree interpolated, value by value: a default holding `:` or `}` stays in its scalar. */
export function interpolateTree(v: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof v === 'string') return interpolateCompose(v, env);
  if (Array.isArray(v)) return v.map((x) => interpolateTree(x, env));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolateTree(x, env)]));
  return v;
}
