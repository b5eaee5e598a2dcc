// Needs a real Docker engine + compose v2 and the local debian:trixie-slim image
// (scripts/docker-engine.sh). Run alone: node --test dist/test/image-verdict.docker.test.js
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { PROJECT_LABEL } from '../src/drivers/compose/compose-project.js';
import { FIXTURES, buildAndTestComposeYaml, runCli, tempDir, writeConfig } from './helpers.js';

/*
 * Issue 28, the verdict bound to what was tested: a signed compose run builds a tiny image;
 * `verify --image` vouches for that image by its tag, and for no other image, and not when the
 * run that tested it failed.
 */

const docker = new Docker();
const composeFile = join(FIXTURES, 'image-verdict', 'docker-compose.yml');
const name = `rg-test-verdict-${randomBytes(4).toString('hex')}`;
const image = `${name}:local`;
const work = tempDir('rg-image-verdict-');
const keyFile = join(work, 'gate.key');
const pubFile = join(work, 'gate.pub');
let passed = '';
let failed = '';

/** One signed run; TESTS is the shell command of its tests step (its exit code decides the verdict). */
async function gate(label: string, tests: string): Promise<{ logDir: string; code: number | null; out: string }> {
  const dir = join(work, label);
  mkdirSync(dir, { recursive: true });
  const testStep = `{ log: 13_tests, do: exec, service: app, run: [sh, -c, ${JSON.stringify(tests)}], criterion: tests }`;
  const config = writeConfig(dir, buildAndTestComposeYaml({ name: 'image-verdict', composeFile, project: name, testStep }));
  const logDir = join(dir, 'logs');
  const run = await runCli(['run', '--config', config, '--log-dir', logDir, '--sign-key', keyFile], { cwd: dir });
  return { logDir, code: run.code, out: run.stdout + run.stderr };
}

before(async () => {
  const pair = generateKeyPairSync('ed25519');
  writeFileSync(keyFile, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(pubFile, pair.publicKey.export({ type: 'spki', format: 'pem' }));
  const green = await gate('passed', 'test -s /nonce');
  assert.equal(green.code, 0, green.out);
  const red = await gate('failed', 'echo "1 test failed"; exit 1');
  assert.equal(red.code, 1, red.out);
  [passed, failed] = [green.logDir, red.logDir];
});

after(async () => {
  spawnSync('docker', ['compose', '-p', name, '-f', composeFile, 'down', '-v', '--rmi', 'all', '--remove-orphans'], { stdio: 'ignore', env: { ...process.env, RG_IMAGE: name } });
  await docker.getImage(image).remove({ force: true }).catch(() => undefined);
  await docker.pruneImages({ filters: { dangling: ['true'], label: [`${PROJECT_LABEL}=${name}`] } }).catch(() => undefined);
});

const verify = (dir: string, ref: string) => runCli(['verify', dir, '--key', pubFile, '--image', ref]);

describe('verify --image against a real compose build', () => {
  it('vouches for the image the signed green run built and tested, by its tag and by its id', async () => {
    const byTag = await verify(passed, image);
    assert.equal(byTag.code, 0, byTag.stdout + byTag.stderr);
    assert.match(byTag.stdout, new RegExp(`✅ ${image}: tested by this run, result PASSED, signed`));
    const id = (await docker.getImage(image).inspect()).Id;
    const byId = await verify(passed, id);
    assert.equal(byId.code, 0, byId.stdout + byId.stderr);
  });

  it('refuses an image the run did not test (its base image), exit 1', async () => {
    const base = await verify(passed, 'debian:trixie-slim');
    assert.equal(base.code, 1, base.stdout + base.stderr);
    assert.match(base.stdout, new RegExp(`✗ debian:trixie-slim is not an image this run tested \\(tested: ${name}:local sha256:[0-9a-f]{12}…\\)`));
  });

  it('refuses the same image for the run that failed, exit 1', async () => {
    const red = await verify(failed, image);
    assert.equal(red.code, 1, red.stdout + red.stderr);
    assert.match(red.stdout, /✗ the run's result is FAILED, not PASSED/);
    assert.doesNotMatch(red.stdout, /is not an image this run tested/);
  });

  it('refuses a rebuild under the same tag: it never earned the green (last: it moves the tag)', async () => {
    const before_ = (await docker.getImage(image).inspect()).Id;
    const rebuild = spawnSync('docker', ['compose', '-p', name, '-f', composeFile, 'build', '--no-cache'], { encoding: 'utf8', env: { ...process.env, RG_IMAGE: name } });
    assert.equal(rebuild.status, 0, rebuild.stderr);
    assert.notEqual((await docker.getImage(image).inspect()).Id, before_, 'the rebuild made the same image');
    const rebuilt = await verify(passed, image);
    assert.equal(rebuilt.code, 1, rebuilt.stdout + rebuilt.stderr);
    assert.match(rebuilt.stdout, new RegExp(`✗ ${image} is not an image this run tested`));
    const old = await verify(passed, before_);
    assert.equal(old.code, 0, old.stdout + old.stderr);
  });

  it('says an unknown tag is bad usage (exit 2)', async () => {
    const unknown = await verify(passed, `${name}:never-built`);
    assert.equal(unknown.code, 2, unknown.stdout + unknown.stderr);
    assert.match(unknown.stderr, /no such image on the local engine/);
  });
});
