import { existsSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RgUsageError } from '../common/errors.js';
import { configFromCompose } from '../config/config-from-compose.js';
import { readComposeModel } from '../drivers/compose/read-compose-model.js';
import { schemaReference } from './schema-reference.js';

export interface InitOptions {
  /** Compose files (`--compose a.yml --compose b.yml`), merged in order as compose merges `-f a -f b`. */
  compose?: string[];
  force?: boolean;
}

/** Compose's own discovery order. */
const COMPOSE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const SCHEMA = fileURLToPath(new URL('../../../schema/release-gate.schema.json', import.meta.url));

/** `release-gate init`: writes a commented release-gate.yml for the compose file. Returns the exit code. */
export function initCommand(opts: InitOptions, cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): number {
  const found = COMPOSE_NAMES.map((n) => resolve(cwd, n)).find((f) => existsSync(f));
  const files = opts.compose?.length ? opts.compose.map((f) => resolve(cwd, f)) : found ? [found] : [];
  if (files.length === 0) throw new RgUsageError(`no compose file in ${cwd} (looked for ${COMPOSE_NAMES.join(', ')}).`, 'Give it: release-gate init --compose path/to/docker-compose.yml');
  for (const file of files) if (!existsSync(file)) throw new RgUsageError(`--compose: ${file} not found.`, 'Give the path of your compose file.');
  const compose = files[0] as string;
  const target = resolve(cwd, 'release-gate.yml');
  if (existsSync(target) && !opts.force) {
    throw new RgUsageError(`${target} already exists; init does not overwrite it.`, 'Move it away, or pass --force to replace it.');
  }
  const { model, source } = readComposeModel(files, env);
  const rel = (p: string): string => {
    // Relative when nearby (the config moves with the checkout), absolute when far away.
    const r = relative(cwd, p).split(sep).join('/');
    return r.startsWith('../..') ? p : r === '' ? '.' : r;
  };
  // Where the editor finds the schema, from the user's folder: the installed package's.
  const schema = schemaReference(cwd, SCHEMA);
  const text = configFromCompose(model, { composeFiles: files.map(rel), source, schema, schemaFound: existsSync(resolve(cwd, schema)), name: basename(dirname(compose)) || 'app' });
  writeFileSync(target, text);
  const waits = (text.match(/do: wait-http/g) ?? []).length;
  process.stdout.write(
    `wrote ${target} from ${files.map(rel).join(' + ')} (${source}): ${model.services.length} services, ${waits} HTTP wait${waits === 1 ? '' : 's'}.\n` +
      'Next: fill the TODOs (migrate, seed, tests), check with `release-gate plan`, then `release-gate run`.\n',
  );
  return 0;
}
