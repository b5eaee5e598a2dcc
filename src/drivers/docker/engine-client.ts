import Docker from 'dockerode';
import { parseEndpoint, type EngineEndpoint } from './engine-endpoint.js';

/**
 * A Dockerode client for an endpoint. TLS (`DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH`) is not read:
 * a tcp endpoint is plain, so it belongs on a private network or behind an ssh tunnel.
 */
export function dockerAt(endpoint: EngineEndpoint, where: string): Docker {
  const url = parseEndpoint(endpoint, where);
  if (url.protocol === 'unix:') return new Docker({ socketPath: url.pathname });
  if (url.protocol === 'tcp:') return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: 'http' });
  return new Docker({ protocol: 'ssh', host: url.hostname, port: Number(url.port || 22), ...(url.username ? { username: decodeURIComponent(url.username) } : {}) });
}
