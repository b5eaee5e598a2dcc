import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import type { Reporter } from './reporter.js';
import { builtinReporters, defaultReporterNames, isReporterName, renderAll, reporterNames } from './reporters.js';
import { sampleRunResult } from './sample-run-result.fixture.js';

describe('renderAll', () => {
  it('renders the default reporters with their default file names', () => {
    const outcomes = renderAll(sampleRunResult());
    assert.deepEqual(
      outcomes.map((o) => [o.name, o.fileName, o.ok]),
      [
        ['summary', 'validation_summary.log', true],
        ['json', 'summary.json', true],
        ['junit', 'junit.xml', true],
        ['html', 'report.html', true],
      ],
    );
  });

  it('takes file names from the config', () => {
    const [outcome] = renderAll(sampleRunResult(), ['summary'], { summary: '17_validation_summary.log' });
    assert.equal(outcome?.fileName, '17_validation_summary.log');
  });

  it('keeps going when one reporter throws, and returns that error for it', () => {
    const broken: Reporter = { name: 'json', fileName: 'summary.json', render: () => { throw new TypeError('boom'); } };
    const outcomes = renderAll(sampleRunResult(), ['summary', 'json', 'junit'], {}, { ...builtinReporters, json: broken });
    assert.deepEqual(outcomes.map((o) => o.ok), [true, false, true]);
    const failed = outcomes[1];
    assert.ok(failed && !failed.ok);
    assert.equal(failed.error.message, 'Reporter "json" failed to render summary.json: boom');
    assert.ok(failed.error.cause instanceof TypeError);
  });

  it('derives the valid names from the built-in registry', () => {
    assert.deepEqual(reporterNames(), ['summary', 'json', 'junit', 'html', 'markdown']);
    assert.ok(defaultReporterNames.every((name) => isReporterName(name)));
    assert.equal(isReporterName('toString'), false);
    assert.equal(isReporterName('xml'), false);
    for (const name of reporterNames()) assert.equal(builtinReporters[name]?.name, name);
  });
});
