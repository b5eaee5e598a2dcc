import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config/loader.js';
import { ROOT, runCli, tempDir, withPresetComposeFile } from './helpers.js';

/** What a run gives the final load: the preset's generated secrets exist by then (resolveRun). */
const GENERATED = { ADMIN_PASSWORD: 'generated-admin-1', TEACHER_PASSWORD: 'generated-teacher-1', TEST_PROF_PASSWORD: 'generated-prof-1' };

/*
 * The korrigo preset's own commands, where they hold logic of their own (the makemigrations
 * summary), run for real with sh and awk against Django's output, and its switches.
 */

function presetStep(id: string): { run: string[]; detailFrom?: string } {
  const dir = tempDir();
  writeFileSync(join(dir, 'docker-compose.yml'), 'services: {}\n');
  const { config } = loadConfig({ preset: 'korrigo', cwd: dir, env: GENERATED });
  const step = config.phases.flatMap((p) => p.steps).find((s) => (s.id ?? s.log) === id);
  assert.ok(step, `no step ${id}`);
  return step as unknown as { run: string[]; detailFrom?: string };
}

/** Runs the step's command with a `python` on PATH that prints what Django's makemigrations prints. */
function withDjango(output: string, exitCode: number): { code: number | null; out: string } {
  const bin = tempDir();
  const python = join(bin, 'python');
  writeFileSync(python, `#!/bin/sh\ncat <<'DJANGO'\n${output}DJANGO\nexit ${exitCode}\n`);
  chmodSync(python, 0o755);
  const [cmd, ...args] = presetStep('07_migrate_check').run;
  const r = spawnSync(cmd as string, args, { env: { ...process.env, PATH: `${bin}:${process.env['PATH']}` }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('the korrigo preset on a real Korrigo checkout', () => {
  it('names the model changes without a migration, app by app (Django < 5.1 and ≥ 5.1 output)', () => {
    const run = withDjango(
      [
        "Migrations for 'exams':",
        '  exams/migrations/0012_copy_scan_hash.py',
        '    - Add field scan_hash to copy',
        '    - Alter field status on copy',
        "Migrations for 'grading':",
        '  grading/migrations/0007_annotation_color.py',
        '    + Add field color to annotation',
        '    + Create model Rubric',
        '',
      ].join('\n'),
      1,
    );
    assert.equal(run.code, 1, run.out);
    assert.match(run.out, /Migrations for 'exams':/);
    const line = run.out.split('\n').find((l) => l.startsWith('model changes without a migration: '));
    assert.equal(line, 'model changes without a migration: exams.copy, grading.Rubric, grading.annotation');
    assert.equal(new RegExp(presetStep('07_migrate_check').detailFrom ?? '$^').test(line ?? ''), true);
  });

  it('says nothing more when there is no change', () => {
    const run = withDjango('No changes detected\n', 0);
    assert.equal(run.code, 0, run.out);
    assert.doesNotMatch(run.out, /model changes/);
  });

  it('shows its switches in the plan, with the value in use', async () => {
    const dir = withPresetComposeFile(tempDir());
    const plan = await runCli(['plan', '--preset', 'korrigo'], { cwd: dir, env: { KORRIGO_LOCKS: 'off' } });
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /switch: +KORRIGO_LOCKS=off \(default on\) — off: the E2E annotates without lock\/release/);
    assert.match(plan.stdout, /switch: +KORRIGO_METRICS_VIA=auto \(default\)/);
  });

  it('refuses a switch value it does not know, with exit 2 and the allowed values', async () => {
    const plan = await runCli(['plan', '--preset', 'korrigo'], { cwd: tempDir(), env: { KORRIGO_LOCKS: 'maybe' } });
    assert.equal(plan.code, 2);
    assert.match(plan.stderr, /env KORRIGO_LOCKS: "maybe" is not a value of this switch; allowed: on, off/);
  });
});

describe('every shipped config loads', () => {
  const configs = ['release-gate.yml', 'release-gate.compose.yml', 'release-gate.swarm.yml', 'release-gate.current.yml'];
  for (const name of configs) {
    it(`plans examples/korrigo-lite/${name} without a problem`, async () => {
      const run = await runCli(['plan', '--config', join(ROOT, 'examples/korrigo-lite', name)], {
        cwd: tempDir(),
        env: { COMPOSE_ENV_FILE: join(ROOT, 'examples/korrigo-lite/.env.current.example') },
      });
      assert.equal(run.code, 0, run.stderr);
    });
  }
});
