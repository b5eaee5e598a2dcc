import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { RgEnvironmentError } from './errors.js';
import { processStartTime } from './process-group.js';
import { RunLock } from './run-lock.js';
import { RunLocks } from './run-locks.js';
import { testDir } from './test-dir.fixture.js';

const holder = { config: '/p/release-gate.yml', logDir: '/tmp/logs-1' };
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function locksDir(): string {
  const dir = testDir('rg-test-locks-');
  dirs.push(dir);
  return join(dir, 'locks');
}

describe('RunLocks: the stack lock and the path locks of a run, all or nothing', () => {
  it('takes every claim, once per key, and releases them together', () => {
    const dir = locksDir();
    const locks = RunLocks.acquire(
      [
        { key: 'local-a', label: 'the local stack of a.yml' },
        { key: 'path-1', label: 'the data dir /p/data' },
        { key: 'path-1', label: 'the data dir /p/data' },
      ],
      holder,
      dir,
    );
    assert.deepEqual(readdirSync(dir).sort(), ['local-a.lock', 'path-1.lock']);
    locks.release();
    locks.release();
    assert.ok(!existsSync(dir), 'the last lock out removes the folder');
  });

  it('refuses naming the claim another live gate holds, and keeps none of the others', () => {
    const dir = locksDir();
    const other = RunLock.acquire('path-1', { config: '/q/other.yml', logDir: '/tmp/logs-other', stack: 'the data dir /p/data' }, dir);
    try {
      assert.throws(
        () => RunLocks.acquire([{ key: 'local-b', label: 'the local stack of b.yml' }, { key: 'path-1', label: 'the data dir /p/data' }, { key: 'path-2', label: 'the data dir /p/more' }], holder, dir),
        (err: unknown) =>
          err instanceof RgEnvironmentError &&
          err.code === 'RG_GATE_RUNNING' &&
          err.exitCode === 3 &&
          /Another gate is running on the data dir \/p\/data: pid \d+ .*config \/q\/other\.yml, logs in \/tmp\/logs-other/.test(err.message),
      );
      assert.deepEqual(readdirSync(dir), ['path-1.lock'], 'the refused gate kept a lock');
    } finally {
      other.release();
    }
  });

  it('takes over the lock of a dead gate (kill -9) on a path', async () => {
    const dir = locksDir();
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid as number;
    const start = processStartTime(pid) ?? 'unknown';
    await new Promise((resolve) => child.once('exit', resolve));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'path-1.lock'), JSON.stringify({ pid, start, config: '/q/dead.yml', logDir: '/tmp/dead', since: 'then' }));
    const locks = RunLocks.acquire([{ key: 'path-1', label: 'the data dir /p/data' }], holder, dir);
    locks.release();
    assert.ok(!existsSync(dir));
  });
});
