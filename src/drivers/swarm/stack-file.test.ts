import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { MANAGED_LABEL } from '../compose/compose-project.js';
import { deployWaves, restartPolicy, toStackFile, type StackFileOptions } from './stack-file.js';

/** What `docker compose config --format json` (2.26) prints for a small stack, trimmed. */
const config = {
  name: 'rgswarm-x',
  networks: { default: { name: 'rgswarm-x_default', ipam: {} } },
  services: {
    db: {
      build: { context: '/app', dockerfile: 'docker/db/Dockerfile' },
      command: null,
      image: 'app-db:local',
      restart: 'unless-stopped',
      healthcheck: { test: ['CMD', 'pg_isready'], interval: '2s', start_interval: '1s' },
      volumes: [{ type: 'volume', source: 'pg', target: '/var/lib/postgresql/data', volume: {} }],
      networks: { default: null },
    },
    web: {
      build: { context: '/app' },
      container_name: 'web',
      depends_on: { db: { condition: 'service_healthy', required: true } },
      pull_policy: 'never',
      restart: 'on-failure:3',
      ports: [{ mode: 'ingress', host_ip: '127.0.0.1', target: 80, published: '8088', protocol: 'tcp' }],
      volumes: [{ type: 'bind', source: '/srv', target: '/srv', bind: { create_host_path: true } }],
    },
    migrate: { image: 'app:local', depends_on: { db: { condition: 'service_healthy' } }, restart: 'no' },
  },
  volumes: { pg: { name: 'rgswarm-x_pg' } },
};

const opts: StackFileOptions = {
  stack: 'rgswarm-x',
  project: 'rgswarm-x',
  imageFor: (svc, declared) => declared ?? `rgswarm-x-${svc}`,
  oneShot: new Set(['migrate']),
  publishMode: 'host',
  endpointMode: 'dnsrr',
};

describe('toStackFile: compose config → a file docker stack deploy accepts', () => {
  const { doc, notes } = toStackFile(config, opts);
  const svc = (name: string) => (doc['services'] as Record<string, Record<string, unknown>>)[name] ?? {};

  it('drops what stack deploy refuses or ignores, with a note for each', () => {
    for (const key of ['build', 'container_name', 'depends_on', 'pull_policy', 'restart']) assert.equal(key in svc('web'), false, key);
    assert.equal('command' in svc('db'), false, 'null values are compose\'s "not set"');
    assert.ok(notes.includes('web: container_name dropped (swarm names task containers itself)'), notes.join('\n'));
    assert.ok(notes.includes('web: pull_policy dropped (not in the compose file format stack deploy reads)'), notes.join('\n'));
    assert.ok(notes.some((n) => n.startsWith('web: depends_on dropped (swarm has no start order')), notes.join('\n'));
  });

  it('gives a service built without an image: the tag the build step gave it', () => {
    assert.equal(svc('web')['image'], 'rgswarm-x-web');
    assert.equal(svc('db')['image'], 'app-db:local');
    assert.ok(notes.includes('web: runs image rgswarm-x-web (built by the build step)'));
  });

  const policies: { restart: unknown; want: Record<string, unknown> | null }[] = [
    { restart: 'no', want: { condition: 'none' } },
    { restart: 'always', want: { condition: 'any' } },
    { restart: 'unless-stopped', want: { condition: 'any' } },
    { restart: 'on-failure', want: { condition: 'on-failure' } },
    { restart: 'on-failure:3', want: { condition: 'on-failure', max_attempts: 3 } },
    { restart: undefined, want: null },
    { restart: 'sometimes', want: null },
  ];
  for (const p of policies) {
    it(`restart: ${String(p.restart)} → restart_policy ${JSON.stringify(p.want)}`, () => assert.deepEqual(restartPolicy(p.restart), p.want));
  }

  it('translates restart into deploy.restart_policy; a one-shot job is never restarted by swarm', () => {
    assert.deepEqual((svc('web')['deploy'] as Record<string, unknown>)['restart_policy'], { condition: 'on-failure', max_attempts: 3 });
    assert.deepEqual((svc('migrate')['deploy'] as Record<string, unknown>)['restart_policy'], { condition: 'none' });
  });

  it('publishes ports in the chosen mode, as numbers, without host_ip (noted)', () => {
    assert.deepEqual(svc('web')['ports'], [{ target: 80, published: 8088, protocol: 'tcp', mode: 'host' }]);
    assert.ok(notes.includes('web: port 8088 published on every interface of the node (swarm has no host_ip; was 127.0.0.1)'));
  });

  it('labels services, task containers and volumes as release-gate\'s, and sets the endpoint mode', () => {
    const deploy = svc('db')['deploy'] as Record<string, unknown>;
    assert.deepEqual(deploy['labels'], { [MANAGED_LABEL]: 'true' });
    assert.equal(deploy['endpoint_mode'], 'dnsrr');
    assert.deepEqual(svc('db')['labels'], { [MANAGED_LABEL]: 'true' });
    assert.deepEqual((doc['volumes'] as Record<string, unknown>)['pg'], { labels: { [MANAGED_LABEL]: 'true' } });
  });

  it('leaves names to the stack (<stack>_<key>), networks overlay, and strips compose-spec-only keys', () => {
    assert.deepEqual((doc['networks'] as Record<string, unknown>)['default'], { driver: 'overlay' });
    assert.equal(doc['version'], '3.8');
    assert.equal('name' in doc, false);
    assert.deepEqual(svc('db')['healthcheck'], { test: ['CMD', 'pg_isready'], interval: '2s' });
    assert.deepEqual(svc('db')['volumes'], [{ type: 'volume', source: 'pg', target: '/var/lib/postgresql/data' }]);
    assert.deepEqual(svc('web')['volumes'], [{ type: 'bind', source: '/srv', target: '/srv' }]);
  });
});

describe('deployWaves: compose start order as successive deploys', () => {
  it('deploys by dependency depth, each wave after the conditions of its services', () => {
    const waves = deployWaves({
      services: {
        db: {},
        redis: {},
        backend: { depends_on: { db: { condition: 'service_healthy' }, redis: { condition: 'service_started' } } },
        migrate: { depends_on: ['db'] },
        nginx: { depends_on: { backend: { condition: 'service_healthy' }, migrate: { condition: 'service_completed_successfully' } } },
      },
    });
    assert.deepEqual(waves, [
      { services: ['db', 'redis'], waitFor: [] },
      {
        services: ['backend', 'migrate'],
        waitFor: [
          { service: 'db', condition: 'service_healthy', for: 'backend' },
          { service: 'redis', condition: 'service_started', for: 'backend' },
          { service: 'db', condition: 'service_started', for: 'migrate' },
        ],
      },
      {
        services: ['nginx'],
        waitFor: [
          { service: 'backend', condition: 'service_healthy', for: 'nginx' },
          { service: 'migrate', condition: 'service_completed_successfully', for: 'nginx' },
        ],
      },
    ]);
  });

  it('is one wave without depends_on, ignores dependencies outside the selection, and survives a cycle', () => {
    assert.deepEqual(deployWaves({ services: { a: {}, b: {} } }), [{ services: ['a', 'b'], waitFor: [] }]);
    assert.deepEqual(deployWaves({ services: { a: { depends_on: ['b'] }, b: {} } }, new Set(['a'])), [{ services: ['a'], waitFor: [] }]);
    const cyclic = deployWaves({ services: { a: { depends_on: ['b'] }, b: { depends_on: ['a'] } } });
    assert.deepEqual(cyclic.flatMap((w) => w.services).sort(), ['a', 'b']);
  });
});
