#!/usr/bin/env node
// Proves the GitLab template (ci/gitlab/release-gate.gitlab-ci.yml) by running it for real with
// gitlab-ci-local (a devDependency; shell executor, no Docker) on the bundled sample
// (examples/korrigo-lite/release-gate.yml, the local driver), in a temporary clone of HEAD:
// gitlab-ci-local reads the project's git. The project's .gitlab-ci.yml there includes the
// template as a user does and pins release-gate to this build's tarball with its integrity.
//   1. a tarball whose integrity does not match: the job fails before installing anything;
//   2. the real job: installs the tarball, runs the gate (3 s stability window), passes, and
//      leaves summary.json and junit.xml where the template's artifacts collect them.
// Needs a build (`npm run build`; .ci/run runs it after npm test). Exits non-zero, naming what
// failed, with the job's output.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'rg-gitlab-ci-'));
const keep = process.argv.includes('--keep');
const t0 = Date.now();

function fail(msg) {
  console.error(`check-gitlab-ci: ${msg}`);
  console.error(`check-gitlab-ci: work folder kept for inspection: ${work}`);
  process.exit(1);
}

function sh(cmd, args, { cwd, expect = 0, env = {} } = {}) {
  const { NODE_TEST_CONTEXT: _ignored, ...base } = process.env;
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...base, NO_COLOR: '1', CI: 'true', ...env }, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) fail(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  const ok = expect === 'non-zero' ? r.status !== 0 : r.status === expect;
  if (!ok) fail(`\`${cmd} ${args.join(' ')}\` (in ${cwd}) exited ${r.status ?? r.signal}, expected ${expect}\n${r.stdout}\n${r.stderr}`);
  return `${r.stdout}${r.stderr}`;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

if (!existsSync(join(root, 'dist/bundle/cli/release-gate.cjs'))) fail('dist/bundle/cli/release-gate.cjs not found: run `npm run build` first');
const [packed] = JSON.parse(sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: root }));
const tarball = join(work, packed.filename);

const clone = join(work, 'project');
sh('git', ['clone', '--quiet', '--no-hardlinks', root, clone], { cwd: work });
// gitlab-ci-local derives CI_PROJECT_PATH & co from the remote; a local path is not a GitLab URL.
sh('git', ['remote', 'set-url', 'origin', 'https://gitlab.example.com/release-gate/release-gate.git'], { cwd: clone });
// The sample's build runs the repository's TypeScript (../../node_modules/typescript).
symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'), 'dir');
// The user's side, as the template's header gives it for a shell runner: include the template,
// no dind service, the runner kind, the gate's arguments.
writeFileSync(
  join(clone, '.gitlab-ci.yml'),
  `include:
  - local: ci/gitlab/release-gate.gitlab-ci.yml
release-gate:
  services: []
  variables:
    RELEASE_GATE_DOCKER: none
    RELEASE_GATE_ARGS: --config examples/korrigo-lite/release-gate.yml --stability 3s
`,
);

const gitlabCiLocal = join(root, 'node_modules/gitlab-ci-local/src/index.js');
const [port, dbPort] = [await freePort(), await freePort()];
function job(vars) {
  const args = [gitlabCiLocal, '--force-shell-executor', '--no-color', '--home', join(work, 'gcl-home')];
  for (const [k, v] of Object.entries(vars)) args.push('--variable', `${k}=${v}`);
  return [...args, 'release-gate'];
}
const common = {
  RELEASE_GATE_TARBALL: tarball,
  KORRIGO_LITE_PORT: String(port),
  KORRIGO_LITE_DB_PORT: String(dbPort),
  ADMIN_PASSWORD: 'admin-Pw-gitlab-ci-local',
  TEACHER_PASSWORD: 'teacher-Pw-gitlab-ci-local',
};

// 1. A tarball that is not the pinned one is refused before npm sees it.
const t1 = Date.now();
const wrong = sh(process.execPath, job({ ...common, RELEASE_GATE_INTEGRITY: 'sha512-AAAA' }), { cwd: clone, expect: 'non-zero' });
if (!/has integrity sha512-\S+, expected sha512-AAAA: not installed/.test(wrong)) fail(`a wrong integrity did not stop the job as expected:\n${wrong}`);
if (/release-gate run/.test(wrong.split('has integrity')[1] ?? '')) fail(`the gate ran after a wrong integrity:\n${wrong}`);
console.log(`check-gitlab-ci: a tarball with the wrong integrity is refused (${((Date.now() - t1) / 1000).toFixed(1)}s)`);

// 2. The real job.
const t2 = Date.now();
const out = sh(process.execPath, job({ ...common, RELEASE_GATE_INTEGRITY: packed.integrity }), { cwd: clone });
const logDir = join(clone, 'release-gate-logs');
const summaryFile = join(logDir, 'summary.json');
if (!existsSync(summaryFile)) fail(`no ${summaryFile} after the job:\n${out}`);
const summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
if (summary.verdict !== 'passed') fail(`the sample's gate in the job: verdict ${summary.verdict}, expected passed:\n${out}`);
// What the template's `artifacts:` collected (gitlab-ci-local keeps a job's artifacts there).
const junit = join(clone, '.gitlab-ci-local/artifacts/release-gate/release-gate-logs/junit.xml');
if (!existsSync(junit) || !/<testsuites?[\s>]/.test(readFileSync(junit, 'utf8'))) fail(`no JUnit report collected at ${junit} (the template's artifacts: paths and reports: junit:)`);
if (!out.includes('06_stability_3s.log')) fail(`the job did not run the gate with RELEASE_GATE_ARGS (--stability 3s):\n${out}`);
// after_script removed the install (the job's tarball and npm prefix), in the job's folder.
for (const dir of [clone, join(clone, '.gitlab-ci-local/builds/release-gate')]) {
  if (existsSync(join(dir, '.release-gate-install'))) fail(`the job left its install behind: ${join(dir, '.release-gate-install')}`);
}
console.log(`check-gitlab-ci: gitlab-ci-local ran the template's job on the sample (tarball + integrity, shell executor): verdict ${summary.verdict}, ${summary.artifacts.length} artifacts, junit.xml (${((Date.now() - t2) / 1000).toFixed(1)}s; total ${((Date.now() - t0) / 1000).toFixed(1)}s)`);
if (!keep) rmSync(work, { recursive: true, force: true });
