import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { composeModelFrom, healthcheckPath, parseComposeModel } from './compose-model.js';

describe('parseComposeModel', () => {
  it('reads services, published ports and non-external volumes from v2 JSON', () => {
    const json = JSON.stringify({
      name: 'x',
      services: {
        db: { image: 'postgres', volumes: [{ type: 'volume', source: 'pg', target: '/data' }] },
        migrate: { image: 'app' },
        nginx: {
          ports: [{ host_ip: '127.0.0.1', target: 80, published: '8088', protocol: 'tcp' }],
          depends_on: { migrate: { condition: 'service_completed_successfully' }, db: { condition: 'service_healthy' } },
        },
      },
      volumes: { pg: { name: 'x_pg' }, shared: { name: 'shared', external: true } },
    });
    const model = parseComposeModel(json);
    assert.deepEqual(model.services, ['db', 'migrate', 'nginx']);
    // A service another waits for to complete is a one-shot job: judged by its exit code.
    assert.deepEqual(model.oneShot, ['migrate']);
    assert.deepEqual(model.volumes, ['pg']);
    assert.deepEqual(model.ports, [{ service: 'nginx', hostIp: '127.0.0.1', published: 8088, target: 80, protocol: 'tcp', inRange: false }]);
  });
  it('reads v1 YAML with short port syntax', () => {
    const yaml = ['services:', '  nginx:', '    ports:', "    - 127.0.0.1:8088:80/tcp", 'volumes:', '  media: {}', 'version: "3.8"', ''].join('\n');
    const model = parseComposeModel(yaml);
    assert.deepEqual(model.services, ['nginx']);
    assert.deepEqual(model.volumes, ['media']);
    assert.equal(model.ports[0]?.published, 8088);
  });
  it('rejects output that is not a mapping', () => {
    assert.throws(() => parseComposeModel('- a\n- b\n'), /no mapping/);
  });
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


describe('composeModelFrom', () => {
  it('keeps what init reads of each service, of the expected shape only', () => {
    const model = composeModelFrom({
      services: {
        web: { build: '.', image: 'app:1', command: ['node', 'server.js'], healthcheck: { test: ['CMD', 'true'], interval: '2s' }, ports: ['8080:80'] },
        odd: { image: 7, command: { not: 'a command' }, healthcheck: 'yes' },
        empty: null,
      },
    });
    assert.deepEqual(model.services, ['web', 'odd', 'empty']);
    assert.deepEqual(model.definitions['web'], { build: '.', image: 'app:1', command: ['node', 'server.js'], healthcheck: { test: ['CMD', 'true'] } });
    assert.deepEqual(model.definitions['odd'], {});
    assert.deepEqual(model.definitions['empty'], {});
    assert.deepEqual(model.ports.map((p) => `${p.service}:${p.published}->${p.target}`), ['web:8080->80']);
  });

  it('reads depends_on as a list or a mapping (the stop order is its reverse)', () => {
    const model = composeModelFrom({ services: { db: {}, api: { depends_on: ['db'] }, web: { depends_on: { api: { condition: 'service_healthy' } } }, odd: { depends_on: 'db' } } });
    assert.deepEqual(model.definitions['api']?.dependsOn, ['db']);
    assert.deepEqual(model.definitions['web']?.dependsOn, ['api']);
    assert.equal(model.definitions['odd']?.dependsOn, undefined);
  });
});
