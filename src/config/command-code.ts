import type { z } from 'zod';
import { commandSchema } from '../common/schema-parts.js';
import { scriptArgumentIndexes } from '../common/script-arguments.js';
import { isPlainObject } from './merge.js';

/*
 * "A value is data, never code." A string command runs through `sh -c`, and an argv element
 * after `-c` / `-e` (a shell's, node's, python's, psql's…) is a script: a `${VAR}` spliced
 * into either is run as code when the value holds `$(…)`, backticks or a quote (GitHub's
 * script-injection hole: branch names and env-file values come from whoever opened the pull
 * request). Such places are found here, on the tree the schema validates, so the loader can
 * refuse a `${…}` in them and point to the safe form: the value in `env:`, read as "$VAR".
 */

type Path = (string | number)[];

export interface CodePlace {
  path: Path;
  /** `string command` (run by sh -c) or `script argument` (after -c / -e in an argv list). */
  kind: 'string command' | 'script argument';
}

/** Every place in `tree` where `schema` expects a command, with the string or script argument found there. */
export function codePlaces(schema: z.ZodType, tree: unknown): CodePlace[] {
  const out: CodePlace[] = [];
  walk(schema, tree, [], out);
  return out;
}

interface Def {
  type: string;
  [key: string]: unknown;
}

const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;
// `.describe()` and `.optional()` make new schema objects; a described clone shares its def.
const commandDef = defOf(commandSchema);

function walk(schema: z.ZodType, value: unknown, path: Path, out: CodePlace[]): void {
  const def = defOf(schema);
  if (def === commandDef) {
    if (typeof value === 'string') out.push({ path, kind: 'string command' });
    else if (Array.isArray(value)) for (const index of scriptArgumentIndexes(value)) out.push({ path: [...path, index], kind: 'script argument' });
    return;
  }
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return walk(def['innerType'] as z.ZodType, value, path, out);
    case 'pipe':
      return walk(def['in'] as z.ZodType, value, path, out);
    case 'lazy':
      return walk((def['getter'] as () => z.ZodType)(), value, path, out);
    case 'object': {
      if (!isPlainObject(value)) return;
      const shape = def['shape'] as Record<string, z.ZodType>;
      for (const [key, child] of Object.entries(shape)) if (key in value) walk(child, value[key], [...path, key], out);
      return;
    }
    case 'array':
      if (Array.isArray(value)) value.forEach((item, i) => walk(def['element'] as z.ZodType, item, [...path, i], out));
      return;
    case 'record':
      if (isPlainObject(value)) for (const [key, item] of Object.entries(value)) walk(def['valueType'] as z.ZodType, item, [...path, key], out);
      return;
    case 'union': {
      const branch = unionBranch(def, value);
      if (branch) walk(branch, value, path, out);
      return;
    }
    default:
      return;
  }
}

/** The branch of a union that this value takes: by its discriminator, else the first that accepts it. */
function unionBranch(def: Def, value: unknown): z.ZodType | undefined {
  const options = def['options'] as z.ZodType[];
  const discriminator = def['discriminator'] as string | undefined;
  if (discriminator !== undefined) {
    if (!isPlainObject(value)) return undefined;
    return options.find((option) => (option as unknown as { _zod: { propValues?: Record<string, Set<unknown>> } })._zod.propValues?.[discriminator]?.has(value[discriminator]));
  }
  return options.find((option) => option.safeParse(value).success);
}
