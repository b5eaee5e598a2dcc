import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stopSignalName } from './compose-stop.js';

describe('stopSignalName', () => {
  const cases: [string | undefined, string][] = [
    [undefined, 'SIGTERM'],
    ['', 'SIGTERM'],
    ['SIGINT', 'SIGINT'],
    ['quit', 'SIGQUIT'],
    ['2', 'SIGINT'],
    ['15', 'SIGTERM'],
  ];
  for (const [configured, name] of cases) it(`${JSON.stringify(configured)} → ${name}`, () => assert.equal(stopSignalName(configured), name));
});
