import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fillPrefix, shellQuote } from './external-driver.js';

describe('external driver commands', () => {
  const argvs: string[][] = [
    ['node', 'build/cli.js', 'migrate'],
    ['sh', '-c', 'node "build/cli.js" set-password prof1 "$TEST_PROF_PASSWORD"'],
    ['echo', "it's", 'a $HOME `x` & y;', ''],
  ];
  for (const argv of argvs) {
    it(`quotes ${JSON.stringify(argv)} so a remote shell (ssh) sees each argument exactly`, () => {
      // A real shell parses the line back: what ssh's remote side does with its joined arguments.
      const back = execFileSync('sh', ['-c', `printf '%s\\0' ${shellQuote(argv)}`], { encoding: 'utf8' });
      assert.deepEqual(back.split('\0').slice(0, -1), argv);
    });
  }

  const prefixes: [string[], { service: string; tail?: string }, string[]][] = [
    [['kubectl', 'exec', 'deploy/{service}', '--'], { service: 'backend' }, ['kubectl', 'exec', 'deploy/backend', '--']],
    [['kubectl', 'logs', 'deploy/{service}', '--tail={tail}'], { service: 'worker', tail: '-1' }, ['kubectl', 'logs', 'deploy/worker', '--tail=-1']],
    [['ssh', 'host', 'docker', 'exec', 'app-{service}-{service}'], { service: 'db' }, ['ssh', 'host', 'docker', 'exec', 'app-db-db']],
  ];
  for (const [prefix, values, expected] of prefixes) {
    it(`fills ${prefix.join(' ')} for ${JSON.stringify(values)}`, () => assert.deepEqual(fillPrefix(prefix, values), expected));
  }
});
