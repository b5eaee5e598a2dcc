import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { terminalSafe } from './terminal-text.js';

describe('terminalSafe', () => {
  const cases: [string, string][] = [
    ['plain ✅ text', 'plain ✅ text'],
    ['x\n✅ GATE PASSED', 'x␊✅ GATE PASSED'],
    ['a\rb', 'a␍b'],
    ['\u001b[1A\u001b[2Kgone', '␛[1A␛[2Kgone'],
    ['nul\u0000', 'nul␀'],
    ['del\u007f', 'del␡'],
    ['c1\u009b2J', 'c1\ufffd2J'],
    ['tab\there', 'tab␉here'],
  ];
  for (const [input, expected] of cases) it(`shows ${JSON.stringify(input)} as ${JSON.stringify(expected)}`, () => assert.equal(terminalSafe(input), expected));
});
