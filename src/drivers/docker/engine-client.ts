import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { parseEndpoint, type EngineEndpoint } from './engine-endpoint.js';

/** Every connection setting docker-modem would otherwise take from the environment (`DOCKER_HOST`…). */
const UNSET = { socketPath: undefined, host: undefined, port: undefined, protocol: undefined, ca: undefined, cert: undefined, key: undefined, pathPrefix: undefined, username: undefined };

/**
 * A Dockerode client for exactly this endpoint. docker-modem fills what it is not given from
 * `DOCKER_HOST` and friends, so a `unix://` endpoint would silently go to `DOCKER_HOST`'s engine
 * while the CLI (given this endpoint) talks to the socket: every setting is given here. TLS for
 * `tcp://` as the docker CLI does it: `DOCKER_TLS_VERIFY` set, certificates from `DOCKER_CERT_PATH`
 * (default ~/.docker). `ssh://` authenticates with the ssh agent (`SSH_AUTH_SOCK`).
 */
export function dockerAt(endpoint: EngineEndpoint, where: string, env: NodeJS.ProcessEnv = process.env): Docker {
  const url = parseEndpoint(endpoint, where);
  if (url.protocol === 'unix:') return new Docker({ ...UNSET, socketPath: url.pathname });
  if (url.protocol === 'ssh:') {
    return new Docker({
      ...UNSET,
      protocol: 'ssh',
      host: url.hostname,
      port: Number(url.port || 22),
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      sshOptions: { ...(env['SSH_AUTH_SOCK'] ? { agent: env['SSH_AUTH_SOCK'] } : {}) },
    });
  }
  const port = Number(url.port || 2375);
  if (!env['DOCKER_TLS_VERIFY']) return new Docker({ ...UNSET, host: url.hostname, port, protocol: 'http' });
  const certs = env['DOCKER_CERT_PATH'] || join(homedir(), '.docker');
  const read = (name: string) => readFileSync(join(certs, name));
  return new Docker({ ...UNSET, host: url.hostname, port, protocol: 'https', ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') });
}
