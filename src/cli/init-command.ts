import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { RgUsageError } from '../common/errors.js';
import { configFromCompose, interpolateCompose, type ComposeModel } from '../config/config-from-compose.js';
import { mergeComposeTrees } from '../config/compose-merge.js';
import { schemaReference } from './schema-reference.js';

export interface InitOptions {
  /** Compose files (`--compose a.yml --compose b.yml`), merged in order as compose merges `-f a -f b`. */
  compose?: string[];
  force?: boolean;
}

/** Compose's own discovery order. */
const COMPOSE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const SCHEMA = fileURLToPath(new URL('../../../schema/release-gate.schema.json', import.meta.url));

/**
 * The compose model of the files merged in order: `docker compose -f a -f b config --format json`
 * when a compose v2 CLI answers (it resolves extends, anchors, env files, variables and the
 * merge exactly as `up` will), else their YAML merged in order (mergeComposeTrees).
 */
function readModel(files: string[], env: NodeJS.ProcessEnv): { model: ComposeModel; source: 'docker compose config' | 'YAML' } {
  const named = files.join(' + ');
  if (spawnSync('docker', ['compose', 'version'], { encoding: 'utf8', env }).status === 0) {
    const r = spawnSync('docker', ['compose', ...files.flatMap((f) => ['-f', f]), 'config', '--format', 'json'], { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) {
      throw new RgUsageError(`docker compose config rejected ${named}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`, 'Fix the compose file (`docker compose -f FILE config` shows the problem), then rerun init.');
    }
    return { model: asModel(JSON.parse(r.stdout), named), source: 'docker compose config' };
  }
  const trees = files.map((file) => {
    try {
      return parse(readFileSync(file, 'utf8'), { merge: true }) as unknown;
    } catch (err) {
      throw new RgUsageError(`${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, 'Fix the compose file, then rerun init.');
    }
  });
  // Interpolated value by value after parsing: a default holding `:` or `}` stays in its scalar.
  const interpolate = (v: unknown): unknown =>
    typeof v === 'string' ? interpolateCompose(v, env) : Array.isArray(v) ? v.map(interpolate) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolate(x)])) : v;
  return { model: asModel(interpolate(mergeComposeTrees(trees)), named), source: 'YAML' };
}

function asModel(raw: unknown, file: string): ComposeModel {
  const services = (raw as { services?: unknown } | null)?.services;
  if (typeof services !== 'object' || services === null || Array.isArray(services) || Object.keys(services).length === 0) {
    throw new RgUsageError(`${file} declares no services (a compose file has a top-level \`services:\` mapping).`, 'Point --compose at your compose file.');
  }
  return { services: services as ComposeModel['services'] };
}

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
  const { model, source } = readModel(files, env);
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
    `wrote ${target} from ${files.map(rel).join(' + ')} (${source}): ${Object.keys(model.services).length} services, ${waits} HTTP wait${waits === 1 ? '' : 's'}.\n` +
      'Next: fill the TODOs (migrate, seed, tests), check with `release-gate plan`, then `release-gate run`.\n',
  );
  return 0;
}
