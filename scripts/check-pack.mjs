#!/usr/bin/env node
// Proves the package is publish-ready (`npm run check:pack`, run by .ci/run): `npm pack`, install
// the tarball into an empty folder with the npm registry only (no devDependencies, no build
// there), then run what a new user runs first: `--version`, `plan --preset korrigo`, `run`.
// Then the install from a git URL as the README gives it, on a clone of HEAD: `npm pack <git
// URL>` (npm clones it, installs its devDependencies and runs `prepare`, the build), then
// `npm install -g` of that tarball into a throwaway prefix; `--version` and `plan --preset
// korrigo` from a checkout holding the preset's compose file. (`npm install -g <git URL>` in one step fails inside npm itself:
// its `prepare` gets no devDependencies, npm/cli#8440, and its extraction races the clone's.)
// `--skip-git` leaves the git install out.
// Exits non-zero, naming the command and its output, on the first thing that does not work.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'rg-pack-'));
const keep = process.argv.includes('--keep');

function fail(msg) {
  console.error(`check-pack: ${msg}`);
  console.error(`check-pack: work folder kept for inspection: ${work}`);
  process.exit(1);
}

/** Runs a command; fails the check unless it exits with `expect`. */
function sh(cmd, args, { cwd, expect = 0 } = {}) {
  // node --test marks children with NODE_TEST_CONTEXT; the installed CLI is no test file.
  const { NODE_TEST_CONTEXT: _ignored, ...env } = process.env;
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...env, NO_COLOR: '1', CI: 'true' } });
  if (r.error) fail(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== expect) fail(`\`${cmd} ${args.join(' ')}\` (in ${cwd}) exited ${r.status ?? r.signal}, expected ${expect}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const t0 = Date.now();
// The build `npm pack` would run through `prepare`, first and on its own: its output then cannot
// mix with the JSON that `npm pack --json` prints.
sh('npm', ['run', '--silent', 'build'], { cwd: root });
const packed = JSON.parse(sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: root }));
const tarball = join(work, packed[0].filename);
const files = packed[0].files.map((f) => f.path);
for (const needed of ['dist/bundle/cli/release-gate.cjs', 'dist/bundle/cli/cli.cjs', 'presets/korrigo.yml', 'schema/release-gate.schema.json', 'action.yml', 'scripts/github-action.mjs']) {
  if (!files.includes(needed)) fail(`${needed} is missing from the tarball (check "files" in package.json)`);
}
const tests = files.filter((f) => /\.test\.js$/.test(f));
if (tests.length > 0) fail(`the tarball ships test files: ${tests.slice(0, 3).join(', ')}…`);
console.log(`check-pack: ${packed[0].filename}: ${files.length} files, ${(packed[0].size / 1024).toFixed(0)} KiB`);

const app = join(work, 'app');
mkdirSync(app);
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'rg-pack-check', private: true }));
sh('npm', ['install', '--no-audit', '--no-fund', '--omit=dev', tarball], { cwd: app });
const bin = join(app, 'node_modules', '.bin', 'release-gate');

const version = sh(bin, ['--version'], { cwd: app }).trim();
if (version !== pkg.version) fail(`--version printed "${version}", package.json says ${pkg.version}`);

// plan checks what run checks (the preset's compose file): a user's checkout has one.
mkdirSync(join(app, 'infra/docker'), { recursive: true });
writeFileSync(join(app, 'infra/docker/docker-compose.local-prod.yml'), 'services: {}\n');
const plan = sh(bin, ['plan', '--preset', 'korrigo'], { cwd: app });
if (!plan.includes('17_validation_summary.log')) fail(`plan --preset korrigo does not list 17_validation_summary.log:\n${plan}`);

// The smallest real gate: one host command judged as a criterion, then the summary.
writeFileSync(
  join(app, 'release-gate.yml'),
  `# yaml-language-server: $schema=node_modules/release-gate/schema/release-gate.schema.json
name: pack-check
criteria: { node: Node runs }
stack: { driver: local, services: {} }
phases:
  - id: check
    steps:
      - { log: 01_node_version, do: host, run: [node, --version], criterion: node }
  - id: summary
    always: true
    steps: [{ log: 02_summary, do: summary }]
`,
);
const logDir = join(work, 'logs');
sh(bin, ['run', '--log-dir', logDir], { cwd: app });
const summary = JSON.parse(readFileSync(join(logDir, 'summary.json'), 'utf8'));
if (summary.verdict !== 'passed') fail(`run: verdict ${summary.verdict}, expected passed`);
for (const name of ['01_node_version.log', '02_summary.log', 'report.html', 'junit.xml']) {
  if (!summary.artifacts.includes(name)) fail(`run: ${name} missing from the artifacts (${summary.artifacts.join(', ')})`);
}
console.log(`check-pack: installed ${packed[0].filename} into an empty folder; --version ${version}, plan --preset korrigo, run (verdict ${summary.verdict}) work (${((Date.now() - t0) / 1000).toFixed(1)}s)`);

if (!process.argv.includes('--skip-git')) {
  const t1 = Date.now();
  // A clone of HEAD: what a user's `git+https://…#<tag>` fetches (committed files only).
  const clone = join(work, 'clone');
  sh('git', ['clone', '--quiet', '--no-hardlinks', root, clone], { cwd: work });
  const head = sh('git', ['rev-parse', 'HEAD'], { cwd: root }).trim();
  const gitUrl = `git+file://${clone}#${head}`;
  const fromGit = join(work, 'from-git');
  mkdirSync(fromGit);
  const gitPacked = JSON.parse(sh('npm', ['pack', '--json', '--pack-destination', fromGit, gitUrl], { cwd: fromGit }).replace(/^[^[]*/, ''));
  const gitTarball = join(fromGit, gitPacked[0].filename);
  const prefix = join(work, 'prefix');
  // The README's command with a throwaway global prefix instead of the machine's.
  sh('npm', ['install', '-g', '--no-audit', '--no-fund', '--prefix', prefix, gitTarball], { cwd: fromGit });
  const gitBin = join(prefix, 'bin', 'release-gate');
  // A user's checkout, as above: plan checks the preset's compose file exists (as run does).
  const empty = join(work, 'checkout');
  mkdirSync(join(empty, 'infra/docker'), { recursive: true });
  writeFileSync(join(empty, 'infra/docker/docker-compose.local-prod.yml'), 'services: {}\n');
  const gitVersion = sh(gitBin, ['--version'], { cwd: empty }).trim();
  if (gitVersion !== pkg.version) fail(`git install: --version printed "${gitVersion}", package.json says ${pkg.version}`);
  const gitPlan = sh(gitBin, ['plan', '--preset', 'korrigo'], { cwd: empty });
  if (!gitPlan.includes('17_validation_summary.log')) fail(`git install: plan --preset korrigo does not list 17_validation_summary.log:\n${gitPlan}`);
  console.log(`check-pack: git install (npm pack ${gitUrl.replace(head, head.slice(0, 12))}, npm install -g into a throwaway prefix): --version ${gitVersion}, plan --preset korrigo from a checkout work (${((Date.now() - t1) / 1000).toFixed(1)}s)`);
}
if (!keep) rmSync(work, { recursive: true, force: true });
