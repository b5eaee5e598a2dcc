import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { runCli, tempDir, withPresetComposeFile } from './helpers.js';

/* Issue 25, point 5: `plan` says no where `run` says no, and every hint names something the user has. */

/** The problem lines of an exit-2 message (`  - where: message`). */
const problems = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('  - '));

describe('plan checks what run checks', () => {
  it('refuses the korrigo preset in an empty folder as run does: exit 2, the same missing compose file, nothing created', async () => {
    const dir = tempDir('rg-test-agree-');
    const logDir = join(dir, 'logs');
    const plan = await runCli(['plan', '--preset', 'korrigo', '--log-dir', logDir], { cwd: dir });
    const run = await runCli(['run', '--preset', 'korrigo', '--log-dir', logDir], { cwd: dir });
    assert.equal(run.code, 2, run.stderr);
    assert.equal(plan.code, 2, plan.stdout + plan.stderr);
    const expected = `  - stack.file: compose file not found: ${join(dir, 'infra/docker/docker-compose.local-prod.yml')}`;
    assert.ok(problems(run.stderr).some((l) => l.startsWith(expected)), run.stderr);
    assert.deepEqual(problems(plan.stderr), problems(run.stderr));
    assert.ok(!existsSync(logDir), 'nothing created');
  });

  it('refuses a log dir that already holds evidence, as run does', async () => {
    const dir = withPresetComposeFile(tempDir('rg-test-agree-'));
    const plan = await runCli(['plan', '--preset', 'korrigo', '--log-dir', dir], { cwd: dir });
    const run = await runCli(['run', '--preset', 'korrigo', '--log-dir', dir], { cwd: dir });
    assert.equal(plan.code, 2, plan.stdout + plan.stderr);
    assert.deepEqual(problems(plan.stderr), [`  - --log-dir ${dir}: is not empty: its evidence would mix with this run's; pick an empty or new folder (--log-dir / LOG_DIR)`]);
    assert.deepEqual(problems(plan.stderr), problems(run.stderr));
  });

  it('gives a hint whose command works and whose paths exist from the user\'s folder', async () => {
    const dir = tempDir('rg-test-agree-');
    const run = await runCli(['run', '--preset', 'korrigo', '--log-dir', join(dir, 'logs')], { cwd: dir });
    assert.equal(run.code, 2);
    const hint = run.stderr.split('\n').filter((l) => !l.startsWith('  - ') && !l.startsWith('Invalid')).join('\n');
    // Every file a hint names exists where the user is.
    for (const [path] of hint.matchAll(/[\w.-]*\/[\w./-]+\.(?:json|ya?ml)\b/g)) assert.ok(existsSync(resolve(dir, path)), `the hint names ${path}, which is not in ${dir}: ${hint}`);
    const named = /`release-gate (schema|plan)`/.exec(hint);
    assert.ok(named, `the hint names a command: ${hint}`);
    const schema = await runCli(['schema'], { cwd: dir });
    assert.equal(schema.code, 0, schema.stderr);
    assert.equal((JSON.parse(schema.stdout) as { type?: string }).type, 'object');
    assert.match(hint, /`release-gate schema`/);
  });
});
