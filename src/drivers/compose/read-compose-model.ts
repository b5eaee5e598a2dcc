import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { RgUsageError } from '../../common/errors.js';
import { mergeComposeTrees } from './compose-merge.js';
import { interpolateTree } from './compose-interpolate.js';
import { composeModelFrom, type ComposeModel } from './compose-model.js';

/** Where a model read by readComposeModel came from. */
export type ComposeModelSource = 'docker compose config' | 'YAML';

/**
 * The compose model of the files merged in order (`init`, without a driver): `docker compose
 * -f a -f b config --format json` when a compose v2 CLI answers (it resolves extends, anchors,
 * env files, variables and the merge exactly as `up` will), else their YAML merged in order
 * (mergeComposeTrees) with `${VAR}` read from `env`. Throws RgUsageError for a file compose
 * rejects, YAML that does not parse, or no services.
 */
export function readComposeModel(files: string[], env: NodeJS.ProcessEnv): { model: ComposeModel; source: ComposeModelSource } {
  const named = files.join(' + ');
  if (spawnSync('docker', ['compose', 'version'], { encoding: 'utf8', env }).status === 0) {
    const r = spawnSync('docker', ['compose', ...files.flatMap((f) => ['-f', f]), 'config', '--format', 'json'], { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) {
      throw new RgUsageError(`docker compose config rejected ${named}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`, 'Fix the compose file (`docker compose -f FILE config` shows the problem), then rerun init.');
    }
    return { model: withServices(JSON.parse(r.stdout), named), source: 'docker compose config' };
  }
  const trees = files.map((file) => {
    try {
      return parse(readFileSync(file, 'utf8'), { merge: true }) as unknown;
    } catch (err) {
      throw new RgUsageError(`${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, 'Fix the compose file, then rerun init.');
    }
  });
  // Interpolated value by value after parsing: a default holding `:` or `}` stays in its scalar.
  return { model: withServices(interpolateTree(mergeComposeTrees(trees), env), named), source: 'YAML' };
}

function withServices(raw: unknown, file: string): ComposeModel {
  const services = (raw as { services?: unknown } | null)?.services;
  if (typeof services !== 'object' || services === null || Array.isArray(services) || Object.keys(services).length === 0) {
    throw new RgUsageError(`${file} declares no services (a compose file has a top-level \`services:\` mapping).`, 'Point --compose at your compose file.');
  }
  return composeModelFrom(raw);
}
