import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { configFromCompose, healthcheckPath, interpolateCompose, publishedPorts, type ComposeModel } from './config-from-compose.js';

const SAMPLE = fileURLToPath(new URL('../../../examples/korrigo-lite/docker-compose.yml', import.meta.url));

describe('interpolateCompose', () => {
  const env = { SET: 'v', EMPTY: '' };
  const cases: [string, string][] = [
    ['${SET}', 'v'],
    ['${UNSET}', ''],
    ['${UNSET:-8088}', '8088'],
    ['${EMPTY:-d}', 'd'],
    ['${EMPTY-d}', ''],
    ['127.0.0.1:${UNSET:-8088}:80', '127.0.0.1:8088:80'],
    ['$$SET $SET', '$SET v'],
  ];
  for (const [input, expected] of cases) it(`${input} → ${expected}`, () => assert.equal(interpolateCompose(input, env), expected));
});

describe('publishedPorts', () => {
  const cases: [string, unknown[], [string, number, number][]][] = [
    ['host ip, published, target', ['127.0.0.1:8088:80'], [['127.0.0.1', 8088, 80]]],
    ['published:target/tcp', ['8080:80/tcp'], [['', 8080, 80]]],
    ['udp and a bare container port are not waited on', ['53:53/udp', '80'], []],
    ['the long syntax (docker compose config)', [{ target: 80, published: '8088', host_ip: '127.0.0.1', protocol: 'tcp' }], [['127.0.0.1', 8088, 80]]],
  ];
  for (const [name, ports, expected] of cases) {
    it(name, () => assert.deepEqual(publishedPorts({ services: { web: { ports } } }).map((p) => [p.hostIp, p.published, p.target]), expected));
  }
});

describe('healthcheckPath', () => {
  const cases: [unknown, number, string | undefined][] = [
    [['CMD', 'curl', '-fsS', 'http://127.0.0.1/nginx-health'], 80, '/nginx-health'],
    [['CMD', 'curl', '-fsS', 'http://127.0.0.1:8000/api/health/'], 8000, '/api/health/'],
    [['CMD', 'curl', '-fsS', 'http://127.0.0.1:8000/api/health/'], 80, undefined],
    ['wget -qO- http://localhost:3000', 3000, '/'],
    [['CMD', 'redis-cli', 'ping'], 6379, undefined],
  ];
  for (const [test, target, expected] of cases) {
    it(`${JSON.stringify(test)} on ${target} → ${expected}`, () => assert.equal(healthcheckPath({ healthcheck: { test: test as string[] } }, target), expected));
  }
});

describe('configFromCompose on korrigo-lite (the YAML path)', () => {
  const raw = parse(readFileSync(SAMPLE, 'utf8'), { merge: true }) as { services: Record<string, { ports?: string[] }> };
  for (const svc of Object.values(raw.services)) if (svc.ports) svc.ports = svc.ports.map((p) => interpolateCompose(p, {}));
  const text = configFromCompose(raw as ComposeModel, { composeFile: 'docker-compose.yml', source: 'YAML', schema: 'schema/release-gate.schema.json', name: 'korrigo-lite' });
  const config = parse(text) as { baseUrl: string; stack: Record<string, string>; phases: { id: string; always?: boolean; steps: Record<string, unknown>[] }[] };

  it('starts with the editor line and parses as YAML', () => {
    assert.match(text, /^# yaml-language-server: \$schema=schema\/release-gate\.schema\.json\n/);
    assert.equal(config.stack['driver'], 'compose');
    assert.equal(config.stack['file'], 'docker-compose.yml');
  });

  it('has clean, build, up, ps, a wait on nginx\'s published port with its healthcheck path, the window, logs and the summary', () => {
    assert.deepEqual(config.phases.map((p) => p.id), ['clean', 'build', 'boot', 'logs', 'summary']);
    const steps = config.phases.flatMap((p) => p.steps.map((s) => `${s['do']}${s['url'] ? ` ${s['url']}` : ''}`));
    assert.deepEqual(steps, ['down', 'build', 'up', 'ps', 'wait-http /nginx-health', 'stability', 'logs', 'ps', 'summary']);
    assert.equal(config.baseUrl, '${BASE_URL:-http://127.0.0.1:8088}');
    assert.match(text, /# Every service running \(5: backend, db, nginx, redis, worker\), and healthy where it has a healthcheck \(backend, db, nginx, redis\)/);
    assert.deepEqual(config.phases.filter((p) => p.always).map((p) => p.id), ['logs', 'summary']);
  });

  it('leaves TODO markers for migrate, seed and tests', () => {
    for (const what of ['migrate', 'seed', 'tests']) assert.match(text, new RegExp(`^  # TODO ${what}:`, 'm'));
  });
});
