import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort, ROOT, runCli, tempDir, whenStepStarts } from './helpers.js';

/*
 * The embedded sample's ports: `npm start` (scripts/start.mjs) picks free ports and says
 * which, so two of them side by side both pass; a gate run on a taken port names the
 * variable to set.
 */

const START = join(ROOT, 'scripts/start.mjs');

function npmStart(logDir: string, onStdout?: (text: string) => void): Promise<{ code: number | null; out: string }> {
  const { NODE_TEST_CONTEXT: _ignored, ...env } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [START, '--stability', '2s', '--log-dir', logDir], { cwd: ROOT, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const add = (chunk: Buffer) => {
      out += chunk.toString();
      onStdout?.(out);
    };
    child.stdout.on('data', add);
    child.stderr.on('data', add);
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out }));
  });
}

describe('the embedded sample\'s ports', () => {
  it('two `npm start` side by side both pass, each on free ports it prints', async () => {
    const dir = tempDir();
    let second: Promise<{ code: number | null; out: string }> | undefined;
    // The second starts once the first holds its ports (its services are up).
    let watching = false;
    const first = await npmStart(join(dir, 'one'), () => {
      if (watching) return;
      watching = true;
      whenStepStarts(join(dir, 'one'), '04_wait_health', () => (second = npmStart(join(dir, 'two'))));
    });
    assert.ok(second, `the first gate never got its services up:\n${first.out.slice(-3000)}`);
    const two = await second;
    assert.equal(first.code, 0, first.out.slice(-3000));
    assert.equal(two.code, 0, two.out.slice(-3000));
    const ports = (out: string) => /backend on KORRIGO_LITE_PORT=(\d+) .*db on KORRIGO_LITE_DB_PORT=(\d+)/.exec(out)?.slice(1) ?? [];
    assert.equal(ports(first.out).length, 2, 'the first did not print its ports');
    assert.equal(new Set([...ports(first.out), ...ports(two.out)]).size, 4, 'the two gates share a port');
  });

  it('a taken port fails with exit 3 and a hint naming the variable that sets it', async () => {
    const port = await freePort();
    const blocker = createServer().listen(port, '127.0.0.1');
    try {
      const logDir = join(tempDir(), 'logs');
      const run = await runCli(['run', '--config', join(ROOT, 'examples/korrigo-lite/release-gate.yml'), '--log-dir', logDir, '--stability', '2s'], {
        env: { KORRIGO_LITE_PORT: String(port), KORRIGO_LITE_DB_PORT: String(await freePort()) },
      });
      assert.equal(run.code, 3, run.stdout + run.stderr);
      assert.match(readFileSync(join(logDir, '00_compose_down.log'), 'utf8'), new RegExp(`Port ${port} of service "backend" is already in use[\\s\\S]*hint: .*set KORRIGO_LITE_PORT to a free port`));
    } finally {
      blocker.close();
    }
  });
});
