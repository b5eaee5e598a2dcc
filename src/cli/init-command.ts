import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { RgUsageError } from '../common/errors.js';
import { configFromCompose, interpolateCompose, type ComposeModel } from '../config/config-from-compose.js';

export interface InitOptions {
  compose?: string;
  force?: boolean;
}

/** Compose's own discovery order. */
const COMPOSE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const SCHEMA = fileURLToPath(new URL('../../../schema/release-gate.schema.json', import.meta.url));

/**
 * The compose model: `docker compose config --format json` when a compose v2 CLI answers (it
 * resolves extends, anchors, env files and variables exactly as `up` will), else the YAML.
 */
function readModel(file: string, env: NodeJS.ProcessEnv): { model: ComposeModel; source: 'docker compose config' | 'YAML' } {
  if (spawnSync('docker', ['compose', 'version'], { encoding: 'utf8', env }).status === 0) {
    const r = spawnSync('docker', ['compose', '-f', file, 'config', '--format', 'json'], { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) {
      throw new RgUsageError(`docker compose config rejected ${file}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`, 'Fix the compose file (`docker compose -f FILE config` shows the problem), then rerun init.');
    }
    return { model: asModel(JSON.parse(r.stdout), file), source: 'docker compose config' };
  }
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'), { merge: true });
  } catch (err) {
    throw new RgUsageError(`${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, 'Fix the compose file, then rerun init.');
  }
  // Interpolated value by value after parsing: a default holding `:` or `}` stays in its scalar.
  const interpolate = (v: unknown): unknown =>
    typeof v === 'string' ? interpolateCompose(v, env) : Array.isArray(v) ? v.map(interpolate) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolate(x)])) : v;
  return { model: asModel(interpolate(raw), file), source: 'YAML' };
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
  const compose = opts.compose ? resolve(cwd, opts.compose) : COMPOSE_NAMES.map((n) => resolve(cwd, n)).find((f) => existsSync(f));
  if (!compose) throw new RgUsageError(`no compose file in ${cwd} (looked for ${COMPOSE_NAMES.join(', ')}).`, 'Give it: release-gate init --compose path/to/docker-compose.yml');
  if (!existsSync(compose)) throw new RgUsageError(`--compose: ${compose} not found.`, 'Give the path of your compose file.');
  const target = resolve(cwd, 'release-gate.yml');
  if (existsSync(target) && !opts.force) {
    throw new RgUsageError(`${target} already exists; init does not overwrite it.`, 'Move it away, or pass --force to replace it.');
  }
  const { model, source } = readModel(compose, env);
  const rel = (p: string): string => {
    // Relative when nearby (the config moves with the checkout), absolute when far away.
    const r = relative(cwd, p).split(sep).join('/');
    return r.startsWith('../..') ? p : r === '' ? '.' : r;
  };
  // Where the editor finds the schema: the installed package's (node_modules/release-gate/schema/…).
  const text = configFromCompose(model, { composeFile: rel(compose), source, schema: rel(SCHEMA), name: basename(dirname(compose)) || 'app' });
  writeFileSync(target, text);
  const waits = (text.match(/do: wait-http/g) ?? []).length;
  process.stdout.write(
    `wrote ${target} from ${rel(compose)} (${source}): ${Object.keys(model.services).length} services, ${waits} HTTP wait${waits === 1 ? '' : 's'}.\n` +
      'Next: fill the TODOs (migrate, seed, tests), check with `release-gate plan`, then `release-gate run`.\n',
  );
  return 0;
}
