import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sampleRunResult } from './sample-run-result.fixture.js';
import type { LiveReporter } from './live-reporter.js';
import { ReporterMultiplexer } from './reporter-multiplexer.js';

const target = { driver: 'local', description: 'local', external: false };

function recorder(calls: string[], name: string): LiveReporter {
  return {
    onRunStart: (run) => calls.push(`${name} start ${run.name}`),
    onStepStart: (step) => calls.push(`${name} step ${step.label}`),
    onEvent: (event) => calls.push(`${name} ${event.type}`),
    onRunEnd: (end) => calls.push(`${name} end ${end.verdict}`),
  };
}

const throwing: LiveReporter = {
  onRunStart: () => {
    throw new Error('start broke');
  },
  onEvent: () => {
    throw new Error('event broke');
  },
};

describe('ReporterMultiplexer', () => {
  it('fans each hook out to every subscriber in order; hooks a subscriber lacks are skipped', () => {
    const calls: string[] = [];
    const mux = new ReporterMultiplexer([recorder(calls, 'a'), {}, recorder(calls, 'b')]);
    mux.onRunStart({ version: '1', name: 'g', driver: 'local', logDir: '/l', notes: [], target, switches: [] });
    mux.onStepStart({ index: 0, id: 's', label: '01_up', title: 'up' });
    mux.info('hello');
    mux.onRunEnd({ result: sampleRunResult(), evidenceLost: null, verdict: 'V', logDir: '/l' });
    assert.deepEqual(calls, ['a start g', 'b start g', 'a step 01_up', 'b step 01_up', 'a info', 'b info', 'a end V', 'b end V']);
  });

  it('keeps calling the others when one subscriber throws, and hands the error to onError', () => {
    const calls: string[] = [];
    const errors: string[] = [];
    const mux = new ReporterMultiplexer([throwing, recorder(calls, 'b')], (_s, hook, err) => errors.push(`${hook}: ${(err as Error).message}`));
    mux.onRunStart({ version: '1', name: 'g', driver: 'local', logDir: '/l', notes: [], target, switches: [] });
    mux.onEvent({ type: 'progress', text: 'x' });
    assert.deepEqual(calls, ['b start g', 'b progress']);
    assert.deepEqual(errors, ['onRunStart: start broke', 'onEvent: event broke']);
  });

  it('without onError, says a failing subscriber once on stderr, however often it throws', () => {
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (written.push(chunk), true)) as typeof process.stderr.write;
    try {
      const mux = new ReporterMultiplexer([throwing]);
      mux.info('a');
      mux.info('b');
    } finally {
      process.stderr.write = write;
    }
    assert.deepEqual(written, ['live reporter failed in onEvent: event broke\n']);
  });

  it('wants step lines when any subscriber does', () => {
    assert.equal(new ReporterMultiplexer([{}, { wantsStepLines: false }]).wantsStepLines, false);
    assert.equal(new ReporterMultiplexer([{}, { wantsStepLines: true }]).wantsStepLines, true);
  });
});
