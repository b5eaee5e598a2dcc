import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeConfig } from './merge.js';

describe('mergeConfig (extends)', () => {
  it('merges objects key by key and replaces plain arrays', () => {
    assert.deepEqual(mergeConfig({ a: 1, b: { c: 2, d: [1, 2] } }, { b: { d: [3] }, e: 4 }), { a: 1, b: { c: 2, d: [3] }, e: 4 });
  });

  it('merges phases by id and steps by id or log name, keeping the parent order', () => {
    const base = {
      phases: [
        { id: 'A', steps: [{ log: '01_build', do: 'build' }] },
        { id: 'C', steps: [{ log: '07_migrate', do: 'exec', run: ['python', 'manage.py', 'migrate'] }, { id: 'check', log: '07_migrate', do: 'exec', run: ['x'] }] },
      ],
    };
    const override = { phases: [{ id: 'C', steps: [{ log: '07_migrate', run: ['node', 'cli.js', 'migrate'] }, { id: 'check', run: ['y'] }] }, { id: 'Z', steps: [] }] };
    assert.deepEqual(mergeConfig(base, override), {
      phases: [
        { id: 'A', steps: [{ log: '01_build', do: 'build' }] },
        { id: 'C', steps: [{ log: '07_migrate', do: 'exec', run: ['node', 'cli.js', 'migrate'] }, { id: 'check', log: '07_migrate', do: 'exec', run: ['y'] }] },
        { id: 'Z', steps: [] },
      ],
    });
  });

  it('replaces the stack whole when the driver changes', () => {
    const merged = mergeConfig({ stack: { driver: 'compose', file: 'dc.yml' } }, { stack: { driver: 'local', services: {} } });
    assert.deepEqual(merged, { stack: { driver: 'local', services: {} } });
  });
});
