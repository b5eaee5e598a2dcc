import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinStepKinds } from './step-registry.js';

const kindsWith = (capability: 'watchesStability' | 'probesCredentials' | 'bootsStack') =>
  builtinStepKinds.filter((kind) => kind[capability] === true).map((kind) => kind.name);

describe('step kind capabilities (asked by the engine, the CLI and selftest instead of kind names)', () => {
  it('the stability watch is the stability kind: --stability sets its window, the live kill follows it', () => {
    assert.deepEqual(kindsWith('watchesStability'), ['stability']);
  });

  it('the kinds that may send credentials are wait-http and scenario: the live kill comes after them', () => {
    assert.deepEqual(kindsWith('probesCredentials'), ['wait-http', 'scenario']);
  });

  it('the kinds that boot the stack are up and ps', () => {
    assert.deepEqual(kindsWith('bootsStack'), ['up', 'ps']);
  });
});
