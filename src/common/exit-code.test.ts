import * as assert from 'node:assert/strict';
import { constants } from 'node:os';
import { describe, it } from 'node:test';
import { describeExit, exitCodeForSignal, signalName } from './exit-code.js';

describe('describeExit', () => {
  const table: [number | null, NodeJS.Signals | null | undefined, string][] = [
    [0, undefined, 'exit 0'],
    [1, undefined, 'exit 1'],
    [2, undefined, 'exit 2'],
    [127, undefined, 'exit 127'],
    [128, undefined, 'exit 128'],
    [130, undefined, 'exit 130 (SIGINT)'],
    [134, undefined, 'exit 134 (SIGABRT)'],
    [137, undefined, 'exit 137 (SIGKILL)'],
    [139, undefined, 'exit 139 (SIGSEGV)'],
    [143, undefined, 'exit 143 (SIGTERM)'],
    [255, undefined, 'exit 255'],
    [null, 'SIGTERM', 'killed by SIGTERM'],
    [null, null, 'exit unknown'],
  ];
  for (const [code, signal, expected] of table) {
    it(`describes ${code}${signal ? ` / ${signal}` : ''} as "${expected}"`, () => assert.equal(describeExit(code, signal), expected));
  }

  it("names signals from the platform's table", () => {
    assert.equal(signalName(constants.signals.SIGSEGV), 'SIGSEGV');
    assert.equal(signalName(constants.signals.SIGABRT), 'SIGABRT'); // not its alias SIGIOT
    assert.equal(signalName(0), undefined);
  });
});

describe('exitCodeForSignal', () => {
  it('is 128 + the signal number, the one table the gate uses for its own exit code', () => {
    assert.equal(exitCodeForSignal('SIGINT'), 130);
    assert.equal(exitCodeForSignal('SIGTERM'), 143);
    assert.equal(exitCodeForSignal('SIGHUP'), 129);
    assert.equal(exitCodeForSignal('SIGQUIT'), 131);
  });
});
