import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { RgConfigError } from '../../common/errors.js';
import { runGroup } from '../../common/process-group.js';

/** Where a Docker engine answers: the `DOCKER_HOST` form (`unix:///var/run/docker.sock`, `tcp://host:2375`, `ssh://user@host`). */
export type EngineEndpoint = string;

export const LOCAL_ENDPOINT: EngineEndpoint = 'unix:///var/run/docker.sock';

export const ALLOWED_ENDPOINTS = 'unix:///path/to/docker.sock, tcp://host:port or an ssh:// URL';

/** The endpoint checked: a config error naming where it was given and what is allowed. */
export function parseEndpoint(endpoint: EngineEndpoint, where: string): URL {
  let url: URL | null = null;
  try {
    url = new URL(endpoint);
  } catch {
    url = null;
  }
  // Credentials never reach a message: whatever precedes an "@" in the authority is shown as "…".
  const shown = endpoint.replace(/^([a-z]+:\/\/)?[^@/]*@/i, '$1…@');
  // A password in the URL would end up in logs and process lists: ssh keys or an agent instead.
  if (url !== null && url.password !== '') throw new RgConfigError([{ where, message: `"${shown}" carries a password: use an ssh key or agent (allowed: ${ALLOWED_ENDPOINTS})` }]);
  const ok =
    url !== null &&
    ((url.protocol === 'unix:' && url.pathname.length > 1 && url.hostname === '') ||
      ((url.protocol === 'tcp:' || url.protocol === 'ssh:') && url.hostname !== '' && (url.pathname === '' || url.pathname === '/')));
  if (!ok || url === null) throw new RgConfigError([{ where, message: `"${shown}" is not a Docker engine endpoint (allowed: ${ALLOWED_ENDPOINTS})` }]);
  return url;
}

/**
 * The engine the docker CLI would talk to, made explicit so the CLI (stack deploy, compose) and
 * the Engine API client can never reach two different engines: the configured endpoint, else
 * `DOCKER_HOST`, else the Docker context in use (`DOCKER_CONTEXT` or the config's
 * `currentContext`), else the local socket.
 */
export async function resolveEngineEndpoint(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<{ endpoint: EngineEndpoint; from: string }> {
  if (configured) return { endpoint: configured, from: 'stack.manager' };
  if (env['DOCKER_HOST']) return { endpoint: env['DOCKER_HOST'], from: 'DOCKER_HOST' };
  const context = env['DOCKER_CONTEXT'] || (await currentContext(env));
  if (!context || context === 'default') return { endpoint: LOCAL_ENDPOINT, from: 'the local socket' };
  const r = await runGroup(['docker', 'context', 'inspect', '--format', '{{.Endpoints.docker.Host}}', context], { cwd: process.cwd(), env, capture: true });
  const host = r.exitCode === 0 ? r.stdout.trim() : '';
  if (!host) {
    throw new RgConfigError([{ where: env['DOCKER_CONTEXT'] ? 'DOCKER_CONTEXT' : 'the docker config\'s currentContext', message: `Docker context "${context}" has no engine endpoint (docker context inspect: ${r.tail.at(-1)?.trim() || r.spawnError?.message || 'no answer'})` }]);
  }
  return { endpoint: host, from: `Docker context "${context}"` };
}

async function currentContext(env: NodeJS.ProcessEnv): Promise<string | null> {
  const dir = env['DOCKER_CONFIG'] || join(homedir(), '.docker');
  try {
    const parsed = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as { currentContext?: unknown };
    return typeof parsed.currentContext === 'string' ? parsed.currentContext : null;
  } catch {
    return null; // no config: the default context
  }
}
