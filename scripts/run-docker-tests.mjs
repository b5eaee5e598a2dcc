#!/usr/bin/env node
// Runs the Docker test suite (dist/**/*.docker.test.js) on a real engine, one file
// at a time, then checks that the tests left nothing behind.
//   npm run test:docker        (compiles first)
// Fails loudly when no engine is reachable: a Docker test that does not run is a
// failure here, never a skip (STYLE.md rule 9).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suiteTmpdir } from './suite-tmpdir.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// Projects the tests create start with this prefix; our label marks everything release-gate made.
const TEST_PREFIX = 'rg-test-';
const MANAGED_LABEL = 'dev.release-gate.managed';
const STACK_LABEL = 'com.docker.stack.namespace';

function docker(args) {
  return spawnSync('docker', args, { encoding: 'utf8' });
}

function fail(msg) {
  console.error(`run-docker-tests: ${msg}`);
  process.exit(1);
}

const info = docker(['info', '--format', '{{.ServerVersion}}']);
if (info.error || info.status !== 0) {
  fail(
    `Docker engine not reachable (${(info.error?.message ?? info.stderr ?? '').trim() || `docker info exited ${info.status}`}).\n` +
      'Start it with `sudo scripts/docker-engine.sh` (Debian: installs dockerd + compose v2 and the base image), then rerun.',
  );
}
const compose = docker(['compose', 'version', '--short']);
const swarmState = docker(['info', '--format', '{{.Swarm.LocalNodeState}}']).stdout.trim();
console.log(`run-docker-tests: engine ${info.stdout.trim()}, compose ${compose.status === 0 ? compose.stdout.trim() : 'v2 missing'}, swarm ${swarmState || '?'}`);
if (swarmState !== 'active') {
  fail('the engine is not a swarm manager; the swarm driver\'s tests need one: `sudo RG_SWARM=1 scripts/docker-engine.sh` (runs `docker swarm init`).');
}
if (docker(['image', 'inspect', 'debian:trixie-slim']).status !== 0) {
  fail('image debian:trixie-slim missing; `sudo scripts/docker-engine.sh` builds it locally.');
}

/** Names of containers, volumes and networks the tests could have left. */
function ours() {
  const found = [];
  const add = (kind, out) => {
    for (const line of out.stdout.split('\n')) if (line.trim()) found.push(`${kind} ${line.trim()}`);
  };
  add('container', docker(['ps', '-a', '--filter', `label=${MANAGED_LABEL}`, '--format', '{{.Names}}']));
  add('container', docker(['ps', '-a', '--filter', `name=${TEST_PREFIX}`, '--format', '{{.Names}}']));
  add('volume', docker(['volume', 'ls', '-q', '--filter', `label=${MANAGED_LABEL}`]));
  add('volume', docker(['volume', 'ls', '-q', '--filter', `name=${TEST_PREFIX}`]));
  add('network', docker(['network', 'ls', '--filter', `name=${TEST_PREFIX}`, '--format', '{{.Name}}']));
  // Swarm (the swarm driver's tests): stacks, services and their swarm-scoped networks and volumes.
  // On an engine that is not a swarm manager these commands fail: nothing of the kind can exist.
  const swarm = (args) => {
    const r = docker(args);
    return r.status === 0 ? r : { stdout: '' };
  };
  const prefixed = (out) => ({ stdout: out.stdout.split('\n').filter((l) => l.trim().startsWith(TEST_PREFIX)).join('\n') });
  add('stack', prefixed(swarm(['stack', 'ls', '--format', '{{.Name}}'])));
  add('service', swarm(['service', 'ls', '--filter', `label=${MANAGED_LABEL}`, '--format', '{{.Name}}']));
  add('service', swarm(['service', 'ls', '--filter', `name=${TEST_PREFIX}`, '--format', '{{.Name}}']));
  add('network', prefixed(docker(['network', 'ls', '--filter', `label=${STACK_LABEL}`, '--format', '{{.Name}}'])));
  add('volume', prefixed(docker(['volume', 'ls', '--filter', `label=${STACK_LABEL}`, '--format', '{{.Name}}'])));
  // The two-node swarm fixture (test/two-node-swarm.ts) runs a registry process whose config sits in
  // a rg-test-registry-* temp dir; its node containers, volumes and network carry the prefix above.
  const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  add('process', { stdout: ps.stdout.split('\n').filter((l) => l.includes('docker-registry') && l.includes(`${TEST_PREFIX}registry-`)).join('\n') });
  return [...new Set(found)].sort();
}
// Whatever existed before (a developer's gate run) is not the tests' doing.
const before = new Set(ours());

function findTests(dir) {
  const out = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules') out.push(...findTests(p));
    else if (e.isFile() && e.name.endsWith('.docker.test.js')) out.push(p);
  }
  return out;
}
const files = [...findTests(join(root, 'dist')), ...findTests(join(root, 'examples', 'korrigo-lite', 'dist'))].sort();
if (files.length === 0) fail('no dist/**/*.docker.test.js found; compile first (`npx tsc -b`).');
console.log(`run-docker-tests: ${files.length} file(s): ${files.map((f) => relative(root, f)).join(', ')}`);

const t0 = Date.now();
// Its own temp dir, removed at the end, and its own empty parse cache, as npm test (scripts/run-tests.mjs).
const tmp = suiteTmpdir('run-docker-tests');
const cache = mkdtempSync(join(tmp.dir, 'rg-test-parse-cache-'));
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], { cwd: root, stdio: 'inherit', env: { ...process.env, ...tmp.env, RELEASE_GATE_CACHE: cache } });
rmSync(cache, { recursive: true, force: true });
tmp.finish();
const leaked = ours().filter((x) => !before.has(x));
console.log(`run-docker-tests: tests took ${((Date.now() - t0) / 1000).toFixed(1)}s`);
if (leaked.length > 0) {
  console.error(`run-docker-tests: the tests left ${leaked.length} object(s) behind:\n  ${leaked.join('\n  ')}`);
  process.exit(1);
}
if (run.status !== 0) fail(`tests failed (exit ${run.status ?? run.signal})`);
console.log('run-docker-tests: passed, nothing left behind');
