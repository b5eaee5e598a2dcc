import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dockerAt } from './engine-client.js';

/** What the client will dial: docker-modem's resolved settings. */
const dial = (endpoint: string, env: NodeJS.ProcessEnv) => {
  const saved = { ...process.env };
  // docker-modem reads process.env itself: the test sets it, as a CI job would.
  Object.assign(process.env, env);
  try {
    const m = dockerAt(endpoint, 'stack.manager', env).modem as unknown as { socketPath?: string; host?: string; port?: number | string; protocol?: string; ca?: unknown };
    return { socketPath: m.socketPath, host: m.host, port: m.port === undefined ? undefined : Number(m.port), protocol: m.protocol, tls: m.ca !== undefined };
  } finally {
    for (const key of Object.keys(env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
};

describe('dockerAt: exactly the endpoint given, whatever DOCKER_HOST says', () => {
  it('a unix socket stays the socket with DOCKER_HOST pointing elsewhere (docker-in-docker CI)', () => {
    assert.deepEqual(dial('unix:///var/run/docker.sock', { DOCKER_HOST: 'tcp://docker:2375' }), { socketPath: '/var/run/docker.sock', host: undefined, port: undefined, protocol: 'http', tls: false });
  });
  it('a tcp endpoint is that host and port, plain without DOCKER_TLS_VERIFY', () => {
    assert.deepEqual(dial('tcp://127.0.0.1:23750', { DOCKER_HOST: 'unix:///other.sock' }), { socketPath: undefined, host: '127.0.0.1', port: 23750, protocol: 'http', tls: false });
  });
  it('with DOCKER_TLS_VERIFY, TLS with the certificates of DOCKER_CERT_PATH, as the docker CLI', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rg-certs-'));
    try {
      for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, f), `not a real ${f}\n`);
      assert.deepEqual(dial('tcp://node-b:2376', { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir }), { socketPath: undefined, host: 'node-b', port: 2376, protocol: 'https', tls: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
