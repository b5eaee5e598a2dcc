import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LocalDriver } from '../src/drivers/local/local-driver.js';
import { localServiceSchema } from '../src/drivers/local/local-service-config.js';
import type { OutputSink } from '../src/common/output.js';
import { tempDir } from './helpers.js';

/*
 * The local driver's graceful stop on real process groups: the stop signal, the grace, SIGKILL
 * after it, dependents first, and no policy restart of a stopped service.
 */

const lines: string[] = [];
const output: OutputSink = { line: (text: string) => void lines.push(text), write: () => true };

describe('LocalDriver.stopGracefully', () => {
  it('stops dependents first with their stop signal; one that ignores it is SIGKILLed after its grace; none is restarted by its policy', async () => {
    const dir = tempDir('rg-local-shutdown-');
    const service = (script: string, extra: Record<string, unknown> = {}) => localServiceSchema.parse({ command: [process.execPath, '-e', script], restart: 'always', ...extra });
    const driver = new LocalDriver({
      baseDir: dir,
      env: {},
      stateDir: join(dir, 'state'),
      services: {
        // Node's default SIGTERM action: killed by the signal, exit 143 (a clean stop).
        db: service('setInterval(() => {}, 1000)'),
        // Catches SIGINT, its stop signal, and exits 0.
        api: service("process.on('SIGINT', () => process.exit(0)); setInterval(() => {}, 1000)", { stopSignal: 'SIGINT', dependsOn: { db: 'started' } }),
        stubborn: service("process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)", { stopGracePeriod: '400ms', dependsOn: { db: 'started' } }),
        job: service('process.exit(0)', { restart: 'no', oneShot: true }),
        // A shell that does not exec its server: the shell dies at once on SIGTERM (143), the
        // server ignores it. Judged by its whole process group, it is killed after its grace.
        wrapped: localServiceSchema.parse({
          command: ['sh', '-c', `"${process.execPath}" -e "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"; echo after`],
          restart: 'always',
          stopGracePeriod: '400ms',
        }),
      },
    });
    try {
      await driver.up(output);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const stops = await driver.stopGracefully(output);
      const byName = new Map(stops.map((s) => [s.service, s]));
      assert.deepEqual(
        stops.map((s) => [s.service, s.signal, s.running, s.exitCode, s.killed]).sort(),
        [
          ['api', 'SIGINT', true, 0, false],
          ['db', 'SIGTERM', true, 143, false],
          ['job', 'SIGTERM', false, 0, false],
          ['stubborn', 'SIGTERM', true, 137, true],
          ['wrapped', 'SIGTERM', true, 137, true],
        ],
      );
      const stubborn = byName.get('stubborn');
      assert.ok(stubborn && stubborn.stopMs >= 400 && stubborn.stopMs < 2000, JSON.stringify(stubborn));
      assert.ok((byName.get('db')?.stopMs ?? 9e9) < 1000);
      const levels = lines.filter((l) => l.startsWith('stopping ')).map((l) => l.slice('stopping '.length).split(', ').sort());
      assert.deepEqual(levels, [['api', 'job', 'stubborn', 'wrapped'], ['db']]);
      // Past the restart delay (500 ms): restart: always brought nothing back.
      await new Promise((resolve) => setTimeout(resolve, 900));
      for (const s of await driver.services()) assert.deepEqual([s.name, s.state, s.restartCount], [s.name, 'exited', 0]);
    } finally {
      await driver.down({ volumes: false }, output);
      await driver.close();
    }
  });
});
