import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scriptArgumentIndexes } from './script-arguments.js';

describe('scriptArgumentIndexes: the argv items that are program text', () => {
  const cases: [string, unknown[], number[]][] = [
    ['sh -c', ['sh', '-c', 'echo $X'], [2]],
    ['bash combined flags', ['/bin/bash', '-ec', 'x'], [2]],
    ['node -e', ['node', '-e', 'x'], [2]],
    ['node -p', ['node', '-p', 'x'], [2]],
    ['python manage.py shell -c', ['python', 'manage.py', 'shell', '-c', 'x'], [4]],
    ['psql --command', ['psql', '--command', 'select 1'], [2]],
    ['php -r', ['php', '-r', 'echo 1;'], [2]],
    ['php -r by path', ['/usr/bin/php', '-r', 'echo 1;'], [2]],
    ['-p is data for another program', ['psql', '-p', '5432'], []],
    ['-r is data for another program', ['cp', '-r', 'a', 'b'], []],
    ['combined c flags are a shell matter', ['tar', '-xc', 'f'], []],
    ['a flag as the last item has no program text', ['sh', '-c'], []],
  ];
  for (const [name, argv, expected] of cases) {
    it(name, () => assert.deepEqual(scriptArgumentIndexes(argv), expected));
  }
});
