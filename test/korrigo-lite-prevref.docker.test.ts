// The upgrade drill with its previous release built from a git ref (previous.ref, compose): a
// fixture git repository of korrigo-lite with two commits, tag v1 the previous release (its
// image's entrypoint defaults KORRIGO_LITE_RELEASE to v1: what is baked in the old image, not a
// switch the candidate's compose file passes) and whose compose file has a service of its own
// (`legacy`, which runs only with the variable that file sets), HEAD the candidate. The ref is given as the
// preset gives it, KORRIGO_PREVIOUS_REF. Needs a Docker engine, compose v2, git and
// debian:trixie-slim (scripts/docker-engine.sh); run through `npm run test:docker`.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, ROOT, runCli, tempDir, writeConfig } from './helpers.js';
import { NO_FAULTS, SAMPLE, evidence, labelledObjects, readGateRun, type GateRun } from './korrigo-lite-docker.js';

const PROJECT = `rg-test-prevref-${randomBytes(4).toString('hex')}`;
/** Phases the drill does not need: the build (up builds what is missing), migrate, seed, E2E, tests, restore, shutdown. */
const SKIP = 'A,C,D,E,F,R,S';
const ENTRYPOINT = 'docker/app/korrigo-lite.sh';
/** A service only v1's compose file has: up only when v1 runs from its own file (its variable set there), else exit 3. */
const LEGACY_SERVICE = [
  '  legacy:',
  '    image: korrigo-lite-app:${KORRIGO_LITE_IMAGE_TAG:-local}',
  `    entrypoint: ["sh", "-c", "test \\"$$LEGACY_MARK\\" = set-by-v1-compose || exit 3; trap 'exit 0' TERM; sleep infinity & wait"]`,
  '    environment: { LEGACY_MARK: set-by-v1-compose }',
  '    restart: "no"',
  '',
].join('\n');

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=rg-test', '-c', 'user.email=rg-test@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

function docker(...args: string[]): string {
  const r = spawnSync('docker', args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** The previous release's image tags still in the engine: none after a run. */
const previousTags = (): string[] => docker('images', '--filter', `reference=${PROJECT}-previous-*`, '--format', '{{.Repository}}:{{.Tag}}').split('\n').filter(Boolean);

/** Worktrees of the fixture repository besides itself: none after a run. */
const extraWorktrees = (repo: string): string[] =>
  git(repo, 'worktree', 'list', '--porcelain')
    .split('\n')
    .filter((l) => l.startsWith('worktree ') && l !== `worktree ${repo}`);

describe('the upgrade drill from a git ref (korrigo-lite in a git repository, compose)', () => {
  const dir = tempDir('rg-kl-prevref-');
  const repo = join(dir, 'korrigo-lite');
  let config = '';
  let v1 = '';

  before(() => {
    // The staged build context (docker/.stage/app) goes into the repository: each commit builds on its own.
    const stage = spawnSync(process.execPath, [join(SAMPLE, 'docker/stage.mjs')], { encoding: 'utf8' });
    assert.equal(stage.status, 0, stage.stdout + stage.stderr);
    for (const part of ['docker-compose.yml', '.dockerignore', 'docker']) cpSync(join(SAMPLE, part), join(repo, part), { recursive: true });
    git(repo, 'init', '-q');
    // A release whose build fails: docker/.gitignore keeps the staged context out of it.
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'korrigo-lite v0, without its build context');
    git(repo, 'tag', 'v0-unbuildable');
    const candidateEntrypoint = readFileSync(join(repo, ENTRYPOINT), 'utf8');
    writeFileSync(join(repo, ENTRYPOINT), candidateEntrypoint.replace(/^exec /m, 'export KORRIGO_LITE_RELEASE="${KORRIGO_LITE_RELEASE:-v1}"\nexec '));
    const candidateCompose = readFileSync(join(repo, 'docker-compose.yml'), 'utf8');
    writeFileSync(join(repo, 'docker-compose.yml'), candidateCompose.replace(/^services:\n/m, () => `services:\n${LEGACY_SERVICE}`));
    git(repo, 'add', '-A', '--force');
    git(repo, 'commit', '-qm', 'korrigo-lite v1');
    git(repo, 'tag', 'v1');
    v1 = git(repo, 'rev-parse', 'v1');
    writeFileSync(join(repo, ENTRYPOINT), candidateEntrypoint);
    writeFileSync(join(repo, 'docker-compose.yml'), candidateCompose);
    git(repo, 'commit', '-qam', 'korrigo-lite v2');
    // The sample's compose config without its env switch: the preset's previous.ref (KORRIGO_PREVIOUS_REF) gives the release.
    const composeConfig = readFileSync(join(SAMPLE, 'release-gate.compose.yml'), 'utf8').replace(/^\s+previous: \{ env: \{ KORRIGO_LITE_RELEASE: v1 \} \}\n/m, '');
    assert.doesNotMatch(composeConfig, /KORRIGO_LITE_RELEASE: v1/);
    const base = writeConfig(dir, composeConfig.replace(/^\$schema: .*\n/m, ''), 'korrigo-lite.compose.yml');
    config = writeConfig(dir, [`extends: ${JSON.stringify(base)}`, `cwd: ${JSON.stringify(repo)}`, 'teardown: { volumes: true }', ''].join('\n'));
  });

  after(() => {
    spawnSync('docker', ['compose', '-p', PROJECT, '-f', join(repo, 'docker-compose.yml'), 'down', '-v', '--remove-orphans', '--timeout', '5'], { cwd: repo });
    for (const tag of previousTags()) spawnSync('docker', ['image', 'rm', tag]);
  });

  async function gate(env: Record<string, string> = {}, skip = SKIP): Promise<GateRun> {
    const logDir = join(tempDir('rg-kl-prevref-logs-'), 'logs');
    const run = await runCli(['run', '--config', config, '--stability', '5s', '--log-dir', logDir, '--skip', skip], {
      cwd: ROOT,
      env: { KORRIGO_LITE_COMPOSE_PROJECT: PROJECT, KORRIGO_LITE_HTTP_PORT: String(await freePort()), KORRIGO_PREVIOUS_REF: 'v1', ...NO_FAULTS, ...env },
    });
    return readGateRun(logDir, run);
  }

  function assertNothingLeft(run: GateRun): void {
    assert.deepEqual(extraWorktrees(repo), [], 'a worktree outlived the gate');
    assert.equal(git(repo, 'branch', '--list').split('\n').length, 1, 'a branch was added');
    assert.deepEqual(previousTags(), [], `the previous release's tags outlived the gate\n${evidence(run)}`);
    assert.deepEqual([...labelledObjects(`com.docker.compose.project=${PROJECT}`), ...labelledObjects(`com.docker.compose.project=${PROJECT}-previous`)], []);
  }

  it('builds tag v1 from its own worktree while the stability window runs, runs it, and the candidate upgrades its data: Upgrade ✅', async () => {
    const started = Date.now();
    const run = await gate();
    const drill = run.read('19_upgrade_drill.log');
    assert.match(run.line('Upgrade'), /✅ Upgrade: candidate migrated the previous release's data: fingerprint unchanged/, `${evidence(run)}\n${drill}`);
    assert.match(drill, /previous release from git ref "v1": build started when the stability window began/);
    assert.match(drill, new RegExp(`previous release: git ref "v1" → commit ${v1}`));
    assert.match(drill, /worktree: \/.*\/tree \(detached at/);
    const tag = (service: string) => `${PROJECT}-previous-${service}:${v1.slice(0, 12)}`;
    assert.match(drill, new RegExp(`building 5 service\\(s\\) of ${v1.slice(0, 12)} as .*backend → ${tag('backend')}`));
    assert.match(drill, new RegExp(`release: its own compose file\\(s\\) docker-compose\\.yml in /.*/tree, .*backend image ${tag('backend')}`));
    // v1 ran from its own compose file: its own service, with the variable only that file sets; gone with the candidate.
    const stage = (n: number) => drill.split(`=== [${n}/13]`)[1]?.split(`=== [${n + 1}/13]`)[0] ?? '';
    assert.match(stage(1), /-legacy-1 .* legacy .* Up /, `v1's own service did not run from its own compose file\n${stage(1)}`);
    assert.doesNotMatch(stage(6), /legacy/, "v1's own service outlived the switch to the candidate");
    // v1's own image: its migrations stop before 0004, the candidate applies it on v1's rows.
    assert.doesNotMatch(drill.split('=== [4/13]')[0] ?? '', /0004_exam_session/, 'the previous release applied 0004: it was not v1');
    assert.match(drill, /previous release: removed image .*previous-backend/);
    assert.match(drill, /previous release: worktree .* removed/);
    const timing = /built in (\S+), the drill waited (\S+) for it/.exec(drill);
    process.stdout.write(`# previous.ref drill (pass): gate ${Math.round((Date.now() - started) / 1000)}s; previous build ${timing?.[1] ?? '?'}, waited at the drill ${timing?.[2] ?? '?'}; ${/timing: (.*)$/m.exec(drill)?.[1] ?? '?'}\n`);
    assertNothingLeft(run);
  });

  it("upgrade-breaks-data → Upgrade ❌: the candidate's migrate fails on the rows of v1's image", async () => {
    const started = Date.now();
    const run = await gate({ KORRIGO_LITE_FAULT: 'upgrade-breaks-data' });
    assert.equal(run.code, 1, evidence(run));
    assert.match(
      run.line('Upgrade'),
      /❌ Upgrade: the candidate's migrate failed on the previous release's data: exit code 1 \(last: ERROR .*Migration 0004_exam_session failed/,
      `${evidence(run)}\n${run.read('19_upgrade_drill.log')}`,
    );
    process.stdout.write(`# previous.ref drill (upgrade-breaks-data): gate ${Math.round((Date.now() - started) / 1000)}s\n`);
    assertNothingLeft(run);
  });

  it("a ref whose build fails → Upgrade ❌ with the build's own lines in the drill's log; the candidate was never touched", async () => {
    const started = Date.now();
    const run = await gate({ KORRIGO_PREVIOUS_REF: 'v0-unbuildable' });
    const drill = run.read('19_upgrade_drill.log');
    assert.equal(run.code, 1, evidence(run));
    assert.match(run.line('Upgrade'), /❌ Upgrade: the previous release did not start: building it from previous\.ref "v0-unbuildable" failed: docker compose build \(previous release, [0-9a-f]{12}\) exited with \d+ .*"\/docker\/\.stage\/app" not found/, `${evidence(run)}\n${drill}`);
    assert.match(drill, /COPY docker\/\.stage\/app \/app\n.*ERROR: "\/docker\/\.stage\/app" not found/);
    assert.doesNotMatch(drill, /=== \[2\/13\]/, 'the drill went on after a failed build');
    assert.doesNotMatch(drill, /starting the candidate again/, 'the candidate was restarted though the drill never stopped it');
    process.stdout.write(`# previous.ref drill (unbuildable ref): gate ${Math.round((Date.now() - started) / 1000)}s\n`);
    assertNothingLeft(run);
  });

  it('a gate that fails before the drill (migrate-fail): the build started with the window is stopped or awaited, and removed at teardown', async () => {
    const started = Date.now();
    const run = await gate({ KORRIGO_LITE_FAULT: 'migrate-fail' }, SKIP.replace('C,', ''));
    assert.equal(run.code, 1, evidence(run));
    assert.match(run.line('Migrations'), /❌/, evidence(run));
    assert.match(run.summary, /– Upgrade: not run: it runs only on a passing gate/, evidence(run));
    // The teardown's removal says what it removed in teardown.log.
    assert.match(run.read('teardown.log'), /previous release: worktree .* removed/, run.read('teardown.log'));
    process.stdout.write(`# previous.ref drill (gate failed first): gate ${Math.round((Date.now() - started) / 1000)}s\n`);
    assertNothingLeft(run);
  });
});
