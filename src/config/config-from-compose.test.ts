import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { appService } from './app-service.js';
import { interpolateCompose } from '../drivers/compose/compose-interpolate.js';
import { composeModelFrom, type ComposeService } from '../drivers/compose/compose-model.js';
import { configFromCompose, waitablePorts } from './config-from-compose.js';

const SAMPLE = fileURLToPath(new URL('../../../examples/korrigo-lite/docker-compose.yml', import.meta.url));

describe('waitablePorts', () => {
  const cases: [string, unknown[], [string, number, number][]][] = [
    ['host ip, published, target', ['127.0.0.1:8088:80'], [['127.0.0.1', 8088, 80]]],
    ['published:target/tcp', ['8080:80/tcp'], [['', 8080, 80]]],
    ['udp and a bare container port are not waited on', ['53:53/udp', '80'], []],
    ['the long syntax (docker compose config)', [{ target: 80, published: '8088', host_ip: '127.0.0.1', protocol: 'tcp' }], [['127.0.0.1', 8088, 80]]],
  ];
  for (const [name, ports, expected] of cases) {
    it(name, () => assert.deepEqual(waitablePorts(composeModelFrom({ services: { web: { ports } } })).map((p) => [p.hostIp, p.published, p.target]), expected));
  }
});

describe('configFromCompose on korrigo-lite (the YAML path)', () => {
  const raw = parse(readFileSync(SAMPLE, 'utf8'), { merge: true }) as { services: Record<string, { ports?: string[] }> };
  for (const svc of Object.values(raw.services)) if (svc.ports) svc.ports = svc.ports.map((p) => interpolateCompose(p, {}));
  const text = configFromCompose(composeModelFrom(raw), { composeFiles: ['docker-compose.yml'], source: 'YAML', schema: 'schema/release-gate.schema.json', name: 'korrigo-lite' });
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

describe('appService: where the TODO examples run migrate, seed and tests', () => {
  const cases: [string, Record<string, ComposeService>, string][] = [
    ['the built service with a healthcheck, not the proxy that sorts first', { nginx: { build: '.', healthcheck: { test: ['CMD', 'curl', 'http://127.0.0.1/'] } }, api: { build: './api', healthcheck: { test: ['CMD', 'node', 'health.js'] } }, redis: { image: 'redis:7' } }, 'api'],
    ['a proxy by its image, whatever its name', { edge: { image: 'nginx:1.27' }, web: { build: '.' } }, 'web'],
    ['a data store by its command', { cache: { build: './cache', command: ['redis-server'] }, worker: { build: './worker' } }, 'worker'],
    ['the healthchecked one of two built services', { a: { build: '.' }, b: { build: '.', healthcheck: { test: 'wget -qO- http://localhost:3000' } } }, 'b'],
    ['the korrigo-lite sample: backend', parse(readFileSync(SAMPLE, 'utf8'), { merge: true }).services, 'backend'],
  ];
  for (const [name, services, expected] of cases) it(`${name} → ${expected}`, () => assert.equal(appService(services), expected));
});

describe('configFromCompose: checks a real app can pass', () => {
  const model = composeModelFrom({
    services: {
      nginx: { build: './nginx', ports: ['8080:80'] },
      shop: { build: './shop', healthcheck: { test: ['CMD', 'node', '/app/health.mjs'] } },
      web: { build: './web' },
      redis: { build: './redis', command: ['redis-server'], ports: ['6379:6379'] },
    },
  });
  const text = configFromCompose(model, { composeFiles: ['compose.yml', 'compose.override.yml'], source: 'YAML', schema: 'node_modules/release-gate/schema/release-gate.schema.json', name: 'app' });
  const config = parse(text) as { stack: { file: unknown }; criteria: Record<string, string>; phases: { id: string; steps: Record<string, unknown>[] }[] };
  const steps = config.phases.flatMap((p) => p.steps);

  it('names every compose file, in order', () => assert.deepEqual(config.stack.file, ['compose.yml', 'compose.override.yml']));
  it('expects a 2xx from every HTTP wait, never a 404', () => {
    const waits = steps.filter((s) => s['do'] === 'wait-http');
    assert.equal(waits.length, 1);
    for (const w of waits) assert.equal(w['status'], undefined, `${JSON.stringify(w)}: the wait's default is 200`);
    assert.doesNotMatch(text, /\b404\b/);
  });
  it('runs the TODO examples in the app service, not in the proxy', () => {
    const todo = text.split('\n').filter((l) => /^ {2}# {5}- \{ log: \d\d_(migrate|seed_run1|seed_run2|tests),/.test(l));
    assert.equal(todo.length, 4, text);
    // nginx sorts first: the examples must not simply take the first service by name.
    for (const line of todo) assert.match(line, /service: shop,/);
  });
  it('scans the logs as a criterion, JSON levels included (scan.structuredLevels is on by default), and says so', () => {
    const logs = steps.find((s) => s['do'] === 'logs') as { scan?: { patterns: string[]; structuredLevels?: boolean }; criterion?: string };
    assert.equal(logs.criterion, 'logs');
    assert.equal(config.criteria['logs'], 'Logs');
    assert.ok(logs.scan && logs.scan.patterns.length > 0 && logs.scan.structuredLevels !== false);
    assert.match(text, /JSON lines by their level\/severity field[\s\S]*scan\.structuredLevels,?\s*#? ?on by default/);
  });
});

describe('configFromCompose: the base URL of an IPv6 host address', () => {
  const cases: [string, unknown][] = [
    ['short syntax (the YAML path)', '[::1]:8080:80'],
    ['long syntax (docker compose config prints host_ip without brackets)', { target: 80, published: '8080', host_ip: '::1', protocol: 'tcp' }],
  ];
  for (const [name, port] of cases) {
    it(`${name} → http://[::1]:8080`, () => {
      const text = configFromCompose(composeModelFrom({ services: { web: { ports: [port] } } }), { composeFiles: ['compose.yml'], source: 'YAML', schema: 's.json', name: 'app' });
      assert.equal((parse(text) as { baseUrl: string }).baseUrl, '${BASE_URL:-http://[::1]:8080}');
    });
  }
});
