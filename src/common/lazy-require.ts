import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/**
 * A library loaded on its first use, synchronously, from its CommonJS build: `plan`, `schema` and
 * `--version` never pay for what only a running step needs (an XML parser, a cookie jar and its
 * public-suffix list, a diff). Only for packages that ship a `require` export; each is loaded
 * through here alone, so there is one copy of it in the process.
 */
export function lazyRequire<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireHere(name) as T);
}
