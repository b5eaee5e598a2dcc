import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { portInBindError, portTakenHint, portVariables } from './port-variables.js';
import { testDir } from './test-dir.fixture.js';

describe('portInBindError reads the port out of the engine\'s bind errors', () => {
  const cases: [string, number | undefined][] = [
    ['Error response from daemon: driver failed programming external connectivity on endpoint x (ab12): Bind for 127.0.0.1:8088 failed: port is already allocated', 8088],
    ['Error starting userland proxy: listen tcp4 0.0.0.0:55432: bind: address already in use', 55432],
    ['listen tcp [::1]:9000: bind: address already in use', 9000],
    ['address already in use', undefined],
  ];
  for (const [line, port] of cases) it(`${port ?? 'no port'} from "${line.slice(0, 50)}…"`, () => assert.equal(portInBindError(line), port));
});

describe('portVariables maps a port to the variable that sets it', () => {
  it('reads ${NAME:-port} and ${NAME-port} from every file, and the variable\'s current value', () => {
    const dir = testDir('rg-portvars-');
    writeFileSync(join(dir, 'a.yml'), 'ports: ["127.0.0.1:${HTTP_PORT:-8088}:80"]\n');
    writeFileSync(join(dir, 'b.yml'), 'ports: ["${DB_PORT-5432}:5432"]\n');
    const vars = portVariables([join(dir, 'a.yml'), join(dir, 'b.yml'), join(dir, 'missing.yml')], { HTTP_PORT: '18088' });
    assert.deepEqual(vars, { '8088': 'HTTP_PORT', '18088': 'HTTP_PORT', '5432': 'DB_PORT' });
  });
});

describe('portTakenHint', () => {
  it('names the variable when one sets the port', () => assert.match(portTakenHint(8088, { '8088': 'HTTP_PORT' }, ['dc.yml']), /sport = :8088.*set HTTP_PORT to a free port/));
  it('names the files otherwise', () => assert.match(portTakenHint(9000, {}, ['dc.yml']), /publish another host port in dc\.yml/));
  it('without a port, still says how to look', () => assert.match(portTakenHint(undefined, {}, ['dc.yml']), /`ss -ltnp`/));
});
