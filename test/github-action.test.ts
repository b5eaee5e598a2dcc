/*
 * The GitHub Action's script (scripts/github-action.mjs, called by action.yml) in a simulated
 * GitHub environment: GITHUB_ACTIONS=true, GITHUB_STEP_SUMMARY and GITHUB_OUTPUT pointing at
 * temp files, INPUT_* as the runner sets them. It runs a real gate, then writes the job summary
 * and the annotations from that run's log dir.
 */
import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir, writeConfig } from './helpers.js';

const SCRIPT = join(ROOT, 'scripts/github-action.mjs');

interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  summary: string;
  outputs: Record<string, string>;
}

function action(args: string[], dir: string, env: Record<string, string>): ActionRun {
  const summaryFile = join(dir, 'step-summary.md');
  const outputFile = join(dir, 'github-output');
  writeFileSync(summaryFile, '');
  writeFileSync(outputFile, '');
  const { NODE_TEST_CONTEXT: _ignored, GITHUB_ACTIONS: _a, GITHUB_STEP_SUMMARY: _s, GITHUB_OUTPUT: _o, ...base } = process.env;
  const r = spawnSync(process.execPath, [SCRIPT, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...base, NO_COLOR: '1', CI: 'true', GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summaryFile, GITHUB_OUTPUT: outputFile, RUNNER_TEMP: dir, GITHUB_RUN_ID: '42', GITHUB_RUN_ATTEMPT: '1', ...env },
  });
  const outputs = Object.fromEntries(
    readFileSync(outputFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, summary: readFileSync(summaryFile, 'utf8'), outputs };
}

/** A project whose gate passes or fails on one host command; its criterion title needs escaping in an annotation. */
function project(failing: boolean): string {
  const dir = tempDir();
  writeConfig(
    dir,
    `name: action-test
criteria: { check: "Check, the one: that counts", other: Other }
stack: { driver: local, services: {} }
phases:
  - id: check
    steps:
      - { log: 01_other, do: host, run: [node, -e, "console.log('fine')"], criterion: other }
      - { log: 02_check, do: host, run: [node, -e, "process.exit(${failing ? 3 : 0})"], criterion: check }
  - id: summary
    always: true
    steps: [{ log: 03_summary, do: summary }]
`,
  );
  return dir;
}

describe('GitHub Action script (simulated GitHub environment)', () => {
  it('runs a failing gate from the inputs, then writes the Markdown summary and one ::error per ❌ criterion', () => {
    const dir = project(true);
    const gate = action(['run'], dir, { INPUT_CONFIG: 'release-gate.yml', INPUT_STABILITY: '', INPUT_PRESET: '', INPUT_LOG_DIR: '' });
    assert.equal(gate.code, 1, gate.stdout + gate.stderr);
    const logDir = gate.outputs['log-dir'] as string;
    assert.equal(logDir, join(dir, 'release-gate-42-1'));
    assert.equal(gate.outputs['exit-code'], '1');
    assert.ok(existsSync(join(logDir, 'summary.json')));
    const before = readdirSync(logDir).sort();

    const s = action(['summary', logDir], dir, { INPUT_ARTIFACT_NAME: 'gate-evidence' });
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.summary, /^## release-gate: GATE FAILED \(1\/2 criteria passed\)$/m);
    assert.match(s.summary, /^\| ❌ \| Check, the one: that counts \| exit code 3 \(expected 0\) \(02_check.log\) \|$/m);
    assert.match(s.summary, /^\| ✅ \| Other \| exit code 0 \|$/m);
    assert.match(s.summary, /the `gate-evidence` artifact of this run/);
    const annotations = s.stdout.split('\n').filter((l) => l.startsWith('::'));
    assert.deepEqual(annotations, ['::error title=release-gate ❌ Check%2C the one%3A that counts::Check, the one: that counts: exit code 3 (expected 0) (02_check.log)']);
    assert.equal(s.outputs['verdict'], 'failed');
    // The log dir is evidence: the action adds nothing to it.
    assert.deepEqual(readdirSync(logDir).sort(), before);
  });

  it('a passing gate: the summary says PASSED and there is no annotation', () => {
    const dir = project(false);
    const logDir = join(dir, 'logs');
    const gate = action(['run'], dir, { INPUT_LOG_DIR: logDir });
    assert.equal(gate.code, 0, gate.stdout + gate.stderr);
    const s = action(['summary', logDir], dir, {});
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.summary, /GATE PASSED \(2\/2 criteria passed\)/);
    assert.deepEqual(s.stdout.split('\n').filter((l) => l.startsWith('::')), []);
    assert.equal(s.outputs['verdict'], 'passed');
  });

  it('without GITHUB_ACTIONS=true it writes the summary but no workflow command', () => {
    const dir = project(true);
    const logDir = join(dir, 'logs');
    action(['run'], dir, { INPUT_LOG_DIR: logDir });
    const s = action(['summary', logDir], dir, { GITHUB_ACTIONS: '' });
    assert.match(s.summary, /GATE FAILED/);
    assert.doesNotMatch(s.stdout, /^::/m);
  });

  it('a gate that wrote no summary (bad config, exit 2) fails the summary step with an annotation saying why', () => {
    const dir = tempDir();
    writeConfig(dir, 'phases: nope\n');
    const gate = action(['run'], dir, {});
    assert.equal(gate.code, 2, gate.stdout + gate.stderr);
    const s = action(['summary', gate.outputs['log-dir'] as string], dir, {});
    assert.equal(s.code, 1);
    assert.match(s.stdout, /^::error title=release-gate::no summary\.json in .*: the gate did not get as far as writing its summary/m);
  });
});

describe('GitHub Action install step (action.yml: node scripts/github-action.mjs install)', () => {
  /** A copy of what an action checkout at a release tag holds: the sources, the scripts and the built files with their stamp. */
  function checkout(): string {
    const dir = tempDir('rg-test-action-checkout-');
    for (const rel of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.base.json', 'src', 'scripts/github-action.mjs', 'scripts/build-stamp.mjs', 'scripts/bundle.mjs', 'dist/bundle']) {
      mkdirSync(join(dir, rel, '..'), { recursive: true });
      cpSync(join(ROOT, rel), join(dir, rel), { recursive: true });
    }
    return dir;
  }
  function dryRun(dir: string): string {
    const r = spawnSync(process.execPath, [join(dir, 'scripts/github-action.mjs'), 'install', '--dry-run'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  }
  const prodOnly = /^npm ci --omit=dev --ignore-scripts --no-audit --no-fund$/m;
  const full = /^npm ci --no-audit --no-fund$/m;

  it('installs only the production dependencies, without a build, when the built files match the checkout', () => {
    const out = dryRun(checkout());
    assert.match(out, /built files present and current/);
    assert.match(out, prodOnly);
  });

  for (const [what, change, reason] of [
    ['a source changed since the build', (d: string) => appendFileSync(join(d, 'src/cli/cli.ts'), '\n// edited\n'), /the sources changed since the build/],
    ['the bundle was edited', (d: string) => appendFileSync(join(d, 'dist/bundle/cli/cli.cjs'), '\n'), /the built files changed since the build/],
    ['the bundle is missing', (d: string) => rmSync(join(d, 'dist/bundle/cli/release-gate.cjs')), /release-gate\.cjs missing/],
    ['there is no stamp (a checkout without built files)', (d: string) => rmSync(join(d, 'dist/bundle/build-stamp.json')), /no dist\/bundle\/build-stamp\.json/],
  ] as const) {
    it(`runs the full npm ci (and its build) when ${what}`, () => {
      const dir = checkout();
      change(dir);
      const out = dryRun(dir);
      assert.match(out, reason);
      assert.match(out, full);
      assert.doesNotMatch(out, prodOnly);
    });
  }

  it('action.yml runs that step from its checkout and names the tag to use: v<package.json version>', () => {
    const yml = readFileSync(join(ROOT, 'action.yml'), 'utf8');
    assert.match(yml, /^ {6}run: node scripts\/github-action\.mjs install$/m);
    assert.doesNotMatch(yml, /run: npm ci/);
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.match(yml, new RegExp(`release-gate@v${version.replace(/\./g, '\\.')} `));
  });
});
