import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { RgConfigError } from '../common/errors.js';
import { describeScan, scanLines } from './log-scan.js';

const LOG = [
  'backend-1  | [2025-01-01 10:00:00] INFO Booting worker with pid: 12',
  'backend-1  | ERROR django.request: Internal Server Error: /api/grading/copies/1/annotations/',
  'backend-1  | Traceback (most recent call last):',
  'nginx-1    | 2025/01/01 10:00:01 [error] 29#29: *1 connect() failed (111: Connection refused) while connecting to upstream',
  'db-1       | ERROR:  relation "x" does not exist',
  'celery-1   | [WARNING] error_reporting disabled',
  'backend-1  | GET /api/health/ 200',
];

describe('scanLines', () => {
  const table: { name: string; patterns: string[]; allow: string[]; maxMatches?: number; count: number; lineNos: number[] }[] = [
    { name: 'counts every line matching a pattern', patterns: ['ERROR', 'Traceback'], allow: [], count: 3, lineNos: [2, 3, 5] },
    { name: 'ignores a line matching an allow pattern', patterns: ['ERROR', 'Traceback'], allow: ['relation "x" does not exist'], count: 2, lineNos: [2, 3] },
    { name: 'supports a (?i) prefix for case-insensitive patterns', patterns: ['(?i)\\berror\\b'], allow: [], count: 3, lineNos: [2, 4, 5] },
    { name: 'keeps at most maxMatches matches but counts them all', patterns: ['\\|'], allow: ['200$'], maxMatches: 2, count: 6, lineNos: [1, 2] },
    { name: 'finds nothing in a clean log', patterns: ['CRITICAL'], allow: [], count: 0, lineNos: [] },
  ];
  for (const c of table) {
    it(c.name, () => {
      const opts = c.maxMatches === undefined ? { patterns: c.patterns, allow: c.allow } : { patterns: c.patterns, allow: c.allow, maxMatches: c.maxMatches };
      const result = scanLines(LOG, opts);
      assert.equal(result.count, c.count);
      assert.deepEqual(result.matches.map((m) => m.lineNo), c.lineNos);
    });
  }

  it('reports the line and the pattern that matched', () => {
    const { matches } = scanLines(LOG, { patterns: ['CRIT', 'Traceback'], allow: [] });
    assert.deepEqual(matches, [{ lineNo: 3, line: LOG[2], pattern: 'Traceback' }]);
  });

  it('rejects every invalid regex at once, naming each', () => {
    assert.throws(
      () => scanLines(LOG, { patterns: ['ok', '(unclosed'], allow: ['[z-a]'] }),
      (err: unknown) => {
        assert.ok(err instanceof RgConfigError);
        assert.match(err.message, /patterns\[1\]: invalid regular expression "\(unclosed"/);
        return true;
      },
    );
    assert.throws(() => scanLines([], { patterns: [], allow: ['[z-a]'] }), /allow\[0\]: invalid regular expression "\[z-a\]"/);
  });

  it('describes the result in one line', () => {
    assert.equal(describeScan(scanLines(LOG, { patterns: ['Traceback'], allow: [] })), '1 unallowed error line (first: line 3: backend-1  | Traceback (most recent call last):)');
    assert.equal(describeScan({ count: 0, matches: [] }), '0 unallowed error lines');
  });
});

describe('createLineScanner', () => {
  it('counts every match but keeps only maxMatches of them as evidence', () => {
    const result = scanLines(Array.from({ length: 200_000 }, () => 'ERROR boom'), { patterns: ['ERROR'], allow: [], maxMatches: 10 });
    assert.equal(result.count, 200_000);
    assert.equal(result.matches.length, 10);
  });
});
