import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REPORT_CLOCK_TOLERANCE_MS, reportFreshness } from './report-freshness.js';

const START = Date.parse('2025-03-01T10:00:00.000Z');
const at = (ms: number) => new Date(START + ms);

describe('reportFreshness', () => {
  const cases: { name: string; mtime: Date | null; serviceAt: Date; copiedAt: number; fresh: boolean; detail?: RegExp }[] = [
    { name: 'written during the step', mtime: at(5_000), serviceAt: at(9_000), copiedAt: START + 9_000, fresh: true },
    { name: 'written in the same second the step started (whole-second mtime)', mtime: at(-900), serviceAt: at(3_000), copiedAt: START + 3_000, fresh: true },
    {
      name: 'an old report baked into an image',
      mtime: new Date('2024-05-01T00:00:00Z'),
      serviceAt: at(3_000),
      copiedAt: START + 3_000,
      fresh: false,
      detail: /^stale report: \/tmp\/j\.xml last written 2024-05-01T00:00:00\.000Z, before the step started at 2025-03-01T10:00:00\.000Z$/,
    },
    { name: 'written a minute before the step', mtime: at(-60_000), serviceAt: at(1_000), copiedAt: START + 1_000, fresh: false, detail: /last written 2025-03-01T09:59:00\.000Z/ },
    // The service clock runs an hour ahead: its file, 4 s old by its own clock, is this step's.
    { name: 'a service clock an hour ahead, file written during the step', mtime: at(3_600_000 + 1_000), serviceAt: at(3_600_000 + 5_000), copiedAt: START + 5_000, fresh: true },
    // The service clock runs an hour behind: a file 2 minutes old by its clock is stale.
    { name: 'a service clock an hour behind, file older than the step', mtime: at(-3_600_000 - 120_000), serviceAt: at(-3_600_000 + 5_000), copiedAt: START + 5_000, fresh: false, detail: /last written 2025-03-01T09:58:00\.000Z \(host clock; the service's runs \S+ behind\)/ },
    { name: 'just beyond the tolerance', mtime: at(-REPORT_CLOCK_TOLERANCE_MS - 1), serviceAt: at(0), copiedAt: START, fresh: false },
    { name: 'an unknown mtime', mtime: null, serviceAt: at(0), copiedAt: START, fresh: false, detail: /^stale report: cannot tell when \/tmp\/j\.xml was last written \(no stat\)/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const verdict = reportFreshness('/tmp/j.xml', { mtime: c.mtime, at: c.serviceAt, ...(c.mtime === null ? { why: 'no stat' } : {}) }, START, c.copiedAt);
      assert.equal(verdict.fresh, c.fresh, verdict.detail);
      if (c.detail) assert.match(verdict.detail, c.detail);
    });
  }
});
