import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { bindStack, type StackTree } from './bound-stack.js';
import { ComposeDriver } from './compose/compose-driver.js';
import { builtinDrivers } from './driver-registry.js';
import { localStateDir } from './local/local-driver-kind.js';
import { testDir } from '../common/test-dir.fixture.js';

const registries = { drivers: builtinDrivers };
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function project(): string {
  const dir = testDir('rg-test-bound-');
  dirs.push(dir);
  return dir;
}
const ctx = (root: string) => ({ root, configFile: join(root, 'release-gate.yml'), baseUrl: 'http://127.0.0.1:8088' });
const lockOf = (stack: StackTree, root: string) => bindStack(registries, stack).lock(ctx(root));

/** A local stack as the config schema gives it (defaults filled). */
function localStack(dataDirs: string[], outputs: string[] = []): StackTree {
  const service = { command: ['node', 'app.js'], env: {}, dependsOn: {}, restart: 'no', oneShot: false, dataDirs, ports: [], ...(outputs.length ? { build: { command: ['make'], outputs } } : {}) };
  return { driver: 'local', services: { web: service } };
}

describe('the lock each driver kind gives its stack', () => {
  it('a swarm stack is locked by its name alone: the same from any project root', () => {
    const stack = { driver: 'swarm', file: 'docker-compose.yml', stack: 'shop', oneShot: [], publishMode: 'host', endpointMode: 'dnsrr' };
    assert.deepEqual(lockOf(stack, '/srv/a'), { key: 'swarm-shop', label: 'swarm stack "shop"' });
    assert.deepEqual(lockOf(stack, '/srv/elsewhere/b'), lockOf(stack, '/srv/a'));
    // Unnamed, each checkout derives its own stack name (as compose's project): two checkouts never meet.
    const unnamed = { ...stack, stack: undefined };
    assert.notDeepEqual(lockOf(unnamed, '/srv/a'), lockOf(unnamed, '/srv/elsewhere/b'));
    assert.match(lockOf(unnamed, '/srv/a').label, /^swarm stack "rg-a-[0-9a-f]{8}"$/);
  });

  it('a compose stack is locked by its project name, the one the driver uses', async () => {
    const stack = { driver: 'compose', file: ['docker-compose.yml'], project: 'shop', oneShot: [], minFreeDiskMb: 0 };
    assert.deepEqual(lockOf(stack, '/srv/a'), { key: 'compose-shop', label: 'compose project "shop"' });
    assert.deepEqual(lockOf(stack, '/srv/elsewhere/b'), lockOf(stack, '/srv/a'));
    const unnamed = { ...stack, project: undefined };
    const root = project();
    const driver = await bindStack(registries, unnamed).create({ root, env: {}, forceClean: false, clock: { now: () => 0, sleep: async () => undefined } });
    try {
      assert.ok(driver instanceof ComposeDriver);
      assert.deepEqual(lockOf(unnamed, root).label, `compose project "${driver.projectName}"`);
    } finally {
      await driver.close();
    }
  });

  it('a local stack is locked by its state dir, and named after the config', () => {
    const stack = localStack(['data']);
    assert.deepEqual(lockOf(stack, '/srv/a'), { key: `local-${basename(localStateDir(stack, '/srv/a'))}`, label: 'the local stack of /srv/a/release-gate.yml' });
    assert.notDeepEqual(lockOf(stack, '/srv/a'), lockOf(localStack(['other']), '/srv/a'));
  });

  it('an external target is locked by its base URL, without its credentials or query', () => {
    const stack = { driver: 'external', name: 'staging', services: [], quote: false, allLines: 'all' };
    const at = (baseUrl: string) => bindStack(registries, stack).lock({ root: '/srv/a', configFile: '/srv/a/x.yml', baseUrl });
    assert.equal(at('https://user:secret@staging.example/app/?x=1').label, 'the external target "staging" at https://staging.example/app');
    assert.equal(at('https://user:secret@staging.example/app/?x=1').key, at('https://staging.example/app').key);
    assert.notEqual(at('https://staging.example/app').key, at('https://prod.example/app').key);
  });
});

describe('the locks of a run: the stack and the paths it removes', () => {
  it('locks each data dir by its real path, so two spellings of one folder meet', () => {
    const root = project();
    mkdirSync(join(root, 'data'));
    symlinkSync(join(root, 'data'), join(root, 'alias'));
    const locks = (dataDirs: string[]) => bindStack(registries, localStack(dataDirs)).locks(ctx(root), { builds: false });
    const [, viaName] = locks(['data']);
    const [, viaLink] = locks(['alias']);
    assert.ok(viaName && viaLink);
    assert.equal(viaLink.key, viaName.key);
    assert.match(viaName.key, /^path-[0-9a-f]{16}$/);
    assert.equal(viaName.label, `the data dir ${join(root, 'data')}`);
    assert.notEqual(locks(['other'])[1]?.key, viaName.key);
  });

  it('locks build outputs only for a run that builds: runs reading one build share it', () => {
    const root = project();
    const stack = bindStack(registries, localStack(['data'], ['dist']));
    assert.deepEqual(
      stack.locks(ctx(root), { builds: false }).map((l) => l.label),
      [`the local stack of ${root}/release-gate.yml`, `the data dir ${root}/data`],
    );
    assert.deepEqual(
      stack.locks(ctx(root), { builds: true }).map((l) => l.label),
      [`the local stack of ${root}/release-gate.yml`, `the data dir ${root}/data`, `the build output ${root}/dist`],
    );
  });

  it('a compose stack removes nothing by path: its lock is the project alone', () => {
    const stack = { driver: 'compose', file: 'docker-compose.yml', project: 'shop', oneShot: [], minFreeDiskMb: 0 };
    assert.deepEqual(bindStack(registries, stack).locks(ctx('/srv/a'), { builds: true }), [{ key: 'compose-shop', label: 'compose project "shop"' }]);
  });

  it('refuses a driver the registry does not know', () => {
    assert.throws(() => bindStack(registries, { driver: 'nomad' }), /unknown driver "nomad"/);
  });
});
