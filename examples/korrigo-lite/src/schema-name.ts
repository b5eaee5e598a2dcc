import { UsageError } from './errors.js';

/** A schema name is spliced into SQL as an identifier: only plain lower-case names pass. */
export function checkSchemaName(name: string, what: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new UsageError(`${what}: "${name}" is not a schema name (allowed: lower-case letters, digits and _, at most 63, not starting with a digit)`);
  }
  return name;
}
