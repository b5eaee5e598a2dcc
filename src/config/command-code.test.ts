import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codePlaces } from './command-code.js';
import { configSchemaFor } from './loader.js';
import { builtinRegistries } from './registries.js';

/** A config tree (not necessarily valid: the walk needs only its shape) with one command at `where`. */
function tree(step: Record<string, unknown>, service: Record<string, unknown> = {}) {
  return {
    stack: { driver: 'local', services: { web: { command: ['node', 'server.js'], ...service } } },
    phases: [{ id: 'A', steps: [{ log: '00_x', do: 'exec', service: 'web', run: ['true'] }, step] }],
  };
}

const schema = configSchemaFor(builtinRegistries);
const found = (t: unknown) => codePlaces(schema, t).map((p) => `${p.kind} ${p.path.join('.')}`);

describe('codePlaces: where a value would run as code', () => {
  const cases: [string, unknown, string[]][] = [
    ['an exec step string command', tree({ log: '01', do: 'exec', service: 'web', run: 'echo hi' }), ['string command phases.0.steps.1.run']],
    ['a host step string command', tree({ log: '01', do: 'host', run: 'make' }), ['string command phases.0.steps.1.run']],
    ['an idempotence probe string', tree({ log: '01', do: 'exec', service: 'web', run: ['x'], idempotence: { probe: 'count' } }), ['string command phases.0.steps.1.idempotence.probe']],
    ['a local service command string', tree({ log: '01', do: 'ps' }, { command: 'node server.js' }), ['string command stack.services.web.command']],
    ['a build command string', tree({ log: '01', do: 'ps' }, { build: { command: 'tsc', outputs: [] } }), ['string command stack.services.web.build.command']],
    ['a healthcheck command string', tree({ log: '01', do: 'ps' }, { healthcheck: { command: 'curl -f x' } }), ['string command stack.services.web.healthcheck.command']],
    ['sh -c in argv', tree({ log: '01', do: 'exec', service: 'web', run: ['sh', '-c', 'echo $X'] }), ['script argument phases.0.steps.1.run.2']],
    ['/bin/bash -ec in argv', tree({ log: '01', do: 'exec', service: 'web', run: ['/bin/bash', '-ec', 'echo'] }), ['script argument phases.0.steps.1.run.2']],
    ['node -e in argv', tree({ log: '01', do: 'ps' }, { healthcheck: { command: ['node', '-e', 'x()'] } }), ['script argument stack.services.web.healthcheck.command.2']],
    ['node -p in argv', tree({ log: '01', do: 'exec', service: 'web', run: ['node', '-p', '1'] }), ['script argument phases.0.steps.1.run.2']],
    ['python manage.py shell -c in argv', tree({ log: '01', do: 'exec', service: 'web', run: ['python', 'manage.py', 'shell', '-c', 'x'] }), ['script argument phases.0.steps.1.run.4']],
    ['psql -c in argv', tree({ log: '01', do: 'exec', service: 'web', run: ['psql', '-c', 'select 1'] }), ['script argument phases.0.steps.1.run.2']],
    ['a plain argv list', tree({ log: '01', do: 'exec', service: 'web', run: ['node', 'cli.js', 'seed', '--name', 'x'] }), []],
    ['-c as the last argument', tree({ log: '01', do: 'exec', service: 'web', run: ['tool', '-c'] }), []],
    ['a string that is no command (a title)', tree({ log: '01', do: 'ps', title: 'echo ${X}' }), []],
  ];
  for (const [name, input, expected] of cases) {
    it(`finds ${name}`, () => assert.deepEqual(found(input), expected));
  }
});
