import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { MANAGED_LABEL, defaultProjectName, isValidProjectName, managedOverride, parseComposeModel, parsePortEntry } from './compose-project.js';

describe('defaultProjectName', () => {
  it('is stable for the same checkout and files', () => {
    assert.equal(defaultProjectName('/src/korrigo', ['a.yml']), defaultProjectName('/src/korrigo/', ['./a.yml']));
  });
  it('differs between checkouts with the same folder name', () => {
    assert.notEqual(defaultProjectName('/a/korrigo', ['c.yml']), defaultProjectName('/b/korrigo', ['c.yml']));
  });
  it('differs when the compose files differ', () => {
    assert.notEqual(defaultProjectName('/a/korrigo', ['c.yml']), defaultProjectName('/a/korrigo', ['d.yml']));
  });
  const names: { dir: string; match: RegExp }[] = [
    { dir: '/src/Korrigo Lite', match: /^rg-korrigo-lite-[0-9a-f]{8}$/ },
    { dir: '/src/korrigo_lite', match: /^rg-korrigo_lite-[0-9a-f]{8}$/ },
    { dir: '/', match: /^rg-[0-9a-f]{8}$/ },
    { dir: '/src/ÉTÉ..', match: /^rg-(.+-)?[0-9a-f]{8}$/ },
  ];
  for (const c of names) {
    it(`gives a valid compose name for "${c.dir}"`, () => {
      const name = defaultProjectName(c.dir, ['docker-compose.yml']);
      assert.match(name, c.match);
      assert.ok(isValidProjectName(name), name);
    });
  }
});

describe('parsePortEntry', () => {
  const table: { entry: unknown; want: { hostIp: string; port: number; protocol: string }[] }[] = [
    { entry: { mode: 'ingress', host_ip: '127.0.0.1', target: 80, published: '8088', protocol: 'tcp' }, want: [{ hostIp: '127.0.0.1', port: 8088, protocol: 'tcp' }] },
    { entry: { target: 80, published: 8088 }, want: [{ hostIp: '', port: 8088, protocol: 'tcp' }] },
    { entry: { target: 80 }, want: [] },
    { entry: '127.0.0.1:8088:80/tcp', want: [{ hostIp: '127.0.0.1', port: 8088, protocol: 'tcp' }] },
    { entry: '8088:80', want: [{ hostIp: '', port: 8088, protocol: 'tcp' }] },
    { entry: '5353:53/udp', want: [{ hostIp: '', port: 5353, protocol: 'udp' }] },
    { entry: '[::1]:9000:9000', want: [{ hostIp: '::1', port: 9000, protocol: 'tcp' }] },
    { entry: '9000-9001:80-81', want: [{ hostIp: '', port: 9000, protocol: 'tcp' }, { hostIp: '', port: 9001, protocol: 'tcp' }] },
    { entry: '80', want: [] },
    { entry: 80, want: [] },
  ];
  for (const c of table) {
    it(`reads ${JSON.stringify(c.entry)}`, () => {
      assert.deepEqual(
        parsePortEntry('web', c.entry).map(({ hostIp, port, protocol }) => ({ hostIp, port, protocol })),
        c.want,
      );
    });
  }
});

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
    assert.deepEqual(model.ports, [{ service: 'nginx', hostIp: '127.0.0.1', port: 8088, protocol: 'tcp' }]);
  });
  it('reads v1 YAML with short port syntax', () => {
    const yaml = ['services:', '  nginx:', '    ports:', "    - 127.0.0.1:8088:80/tcp", 'volumes:', '  media: {}', 'version: "3.8"', ''].join('\n');
    const model = parseComposeModel(yaml);
    assert.deepEqual(model.services, ['nginx']);
    assert.deepEqual(model.volumes, ['media']);
    assert.equal(model.ports[0]?.port, 8088);
  });
  it('rejects output that is not a mapping', () => {
    assert.throws(() => parseComposeModel('- a\n- b\n'), /no mapping/);
  });
});

describe('managedOverride', () => {
  it('labels every service and volume as release-gate managed', () => {
    const doc = JSON.parse(managedOverride({ services: ['db', 'web'], volumes: ['pg'], ports: [], oneShot: [] }));
    assert.deepEqual(doc.services.db.labels, { [MANAGED_LABEL]: 'true' });
    assert.deepEqual(doc.services.web.labels, { [MANAGED_LABEL]: 'true' });
    assert.deepEqual(doc.volumes.pg.labels, { [MANAGED_LABEL]: 'true' });
  });
  it('leaves out the volumes key when there is none', () => {
    assert.equal('volumes' in JSON.parse(managedOverride({ services: ['web'], volumes: [], ports: [], oneShot: [] })), false);
  });
});
