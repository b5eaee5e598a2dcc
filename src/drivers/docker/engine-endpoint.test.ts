import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RgConfigError } from '../../common/errors.js';
import { LOCAL_ENDPOINT, parseEndpoint, resolveEngineEndpoint } from './engine-endpoint.js';

describe('parseEndpoint: a Docker engine endpoint, or a config error naming where', () => {
  for (const ok of ['unix:///var/run/docker.sock', 'tcp://127.0.0.1:2375', 'tcp://node-b', 'ssh://deploy@10.0.0.5', 'ssh://deploy@10.0.0.5:2222']) {
    it(`accepts ${ok}`, () => assert.equal(parseEndpoint(ok, 'stack.manager').href.length > 0, true));
  }
  for (const [bad, why] of [
    ['http://127.0.0.1:2375', /not a Docker engine endpoint \(allowed: unix:\/\/\/path/],
    ['127.0.0.1:2375', /not a Docker engine endpoint/],
    ['unix://', /not a Docker engine endpoint/],
    ['tcp://host:2375/v1.41', /not a Docker engine endpoint/],
    ['ssh://deploy:hunter2@10.0.0.5', /carries a password: use an ssh key/],
    ['tcp://u:hunter2@host:2375/x', /carries a password/],
    ['http://u:hunter2@host:2375', /carries a password/],
    ['u:hunter2@host:2375', /not a Docker engine endpoint/],
  ] as const) {
    it(`refuses ${bad.replace('hunter2', '…')}`, () => {
      assert.throws(
        () => parseEndpoint(bad, 'stack.nodeEngines.node-b'),
        (err: unknown) => err instanceof RgConfigError && err.issues[0]?.where === 'stack.nodeEngines.node-b' && why.test(err.issues[0].message) && !err.message.includes('hunter2'),
      );
    });
  }
});

describe('resolveEngineEndpoint: the engine the docker CLI would use, made explicit', () => {
  const config = (context: string | null) => {
    const dir = mkdtempSync(join(tmpdir(), 'rg-docker-config-'));
    if (context !== null) writeFileSync(join(dir, 'config.json'), JSON.stringify({ currentContext: context }));
    return dir;
  };
  it('stack.manager first, then DOCKER_HOST, then the local socket', async () => {
    const dir = config(null);
    try {
      assert.deepEqual(await resolveEngineEndpoint('tcp://10.0.0.5:2375', { DOCKER_HOST: 'tcp://other:2375', DOCKER_CONFIG: dir }), { endpoint: 'tcp://10.0.0.5:2375', from: 'stack.manager' });
      assert.deepEqual(await resolveEngineEndpoint(undefined, { DOCKER_HOST: 'tcp://other:2375', DOCKER_CONFIG: dir }), { endpoint: 'tcp://other:2375', from: 'DOCKER_HOST' });
      assert.deepEqual(await resolveEngineEndpoint(undefined, { DOCKER_CONFIG: dir }), { endpoint: LOCAL_ENDPOINT, from: 'the local socket' });
      const dflt = config('default');
      assert.equal((await resolveEngineEndpoint(undefined, { DOCKER_CONFIG: dflt })).endpoint, LOCAL_ENDPOINT);
      rmSync(dflt, { recursive: true, force: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a Docker context (the config's currentContext, or DOCKER_CONTEXT) gives its endpoint, read by the real docker CLI", async () => {
    const dir = config(null);
    const env = { ...process.env, DOCKER_CONFIG: dir, DOCKER_HOST: '' };
    try {
      const made = spawnSync('docker', ['context', 'create', 'rg-far', '--docker', 'host=tcp://127.0.0.1:23750'], { env, encoding: 'utf8' });
      assert.equal(made.status, 0, made.stderr);
      assert.deepEqual(await resolveEngineEndpoint(undefined, { ...env, DOCKER_CONTEXT: 'rg-far' }), { endpoint: 'tcp://127.0.0.1:23750', from: 'Docker context "rg-far"' });
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ currentContext: 'rg-far' }));
      assert.equal((await resolveEngineEndpoint(undefined, env)).endpoint, 'tcp://127.0.0.1:23750');
      await assert.rejects(resolveEngineEndpoint(undefined, { ...env, DOCKER_CONTEXT: 'rg-missing' }), (err: unknown) => err instanceof RgConfigError && /Docker context "rg-missing" has no engine endpoint/.test(err.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
