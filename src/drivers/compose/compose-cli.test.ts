import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { profileAllArgs, type ComposeFlavor } from './compose-cli.js';

describe('profileAllArgs', () => {
  const flavor = (kind: 'v1' | 'v2', version: string): ComposeFlavor => ({ kind, version, argv0: kind === 'v2' ? ['docker', 'compose'] : ['docker-compose'], noAnsi: [] });
  const table: { kind: 'v1' | 'v2'; version: string; args: string[] }[] = [
    { kind: 'v2', version: '2.26.1', args: ['--profile', '*'] },
    { kind: 'v2', version: '2.29.7', args: ['--profile', '*'] },
    { kind: 'v2', version: '3.0.0', args: ['--profile', '*'] },
    { kind: 'v2', version: '2.20.2', args: [] },
    { kind: 'v1', version: '1.29.2', args: [] },
  ];
  for (const c of table) {
    it(`gives ${JSON.stringify(c.args)} to compose ${c.kind} ${c.version} (the sweep by label covers the rest)`, () => assert.deepEqual(profileAllArgs(flavor(c.kind, c.version)), c.args));
  }
});
