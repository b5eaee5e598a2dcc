/**
 * `release-gate init`: a commented starting config from a compose file. Pure: it takes the
 * compose model (from `docker compose config --format json`, or the file's YAML) and returns
 * the text of `release-gate.yml`.
 */

import { appService } from './app-service.js';

/** The parts of a compose service the generated gate needs. */
export interface ComposeServiceModel {
  healthcheck?: { test?: string[] | string; disable?: boolean } | undefined;
  ports?: unknown[] | undefined;
  /** Built from the project: where the app's code is (see appService). */
  build?: unknown;
  image?: string | undefined;
  command?: string[] | string | null | undefined;
}

export interface ComposeModel {
  services: Record<string, ComposeServiceModel>;
}

/** A port published on the host. */
export interface PublishedPort {
  service: string;
  hostIp: string;
  published: number;
  target: number;
}

/** Container ports that do not speak HTTP: published, but checked by `ps`, not waited on with GET. */
const NOT_HTTP = new Set([22, 25, 53, 587, 1433, 1521, 2181, 3306, 5432, 5672, 6379, 9092, 11211, 27017]);

/**
 * Compose's `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `$$`, for the YAML path (the
 * docker path gets them resolved by compose itself). Only what the generated gate reads.
 */
export function interpolateCompose(text: string, env: Record<string, string | undefined>): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (all, name?: string, colon?: string, def?: string, bare?: string) => {
    if (all === '$$') return '$';
    const key = name ?? bare ?? '';
    const value = env[key];
    if (def !== undefined) return value === undefined || (colon === ':' && value === '') ? def : value;
    return value ?? '';
  });
}

/** Published ports in both compose syntaxes: `"127.0.0.1:8088:80"`, `"8080:80/tcp"`, `{ target, published, host_ip }`. */
export function publishedPorts(model: ComposeModel): PublishedPort[] {
  const out: PublishedPort[] = [];
  for (const [service, svc] of Object.entries(model.services)) {
    for (const port of svc.ports ?? []) {
      let hostIp = '';
      let published: number | undefined;
      let target: number | undefined;
      if (typeof port === 'object' && port !== null) {
        const p = port as Record<string, unknown>;
        if (p['protocol'] !== undefined && p['protocol'] !== 'tcp') continue;
        hostIp = typeof p['host_ip'] === 'string' ? p['host_ip'] : '';
        published = Number(p['published']);
        target = Number(p['target']);
      } else {
        const [spec, proto] = String(port).split('/');
        if (proto !== undefined && proto !== 'tcp') continue;
        // [ip:]published:target; an IPv6 host is bracketed, and has colons of its own.
        const m = /^(?:(\[[^\]]+\]|[^:]+):)?(\d+):(\d+)$/.exec(spec ?? '');
        if (!m) continue; // only a container port, or a range: nothing fixed to wait on
        hostIp = m[1] ?? '';
        published = Number(m[2]);
        target = Number(m[3]);
      }
      if (Number.isInteger(published) && Number.isInteger(target) && (published as number) > 0) {
        out.push({ service, hostIp, published: published as number, target: target as number });
      }
    }
  }
  return out;
}

/** The path a service's own healthcheck GETs on a port (`curl -f http://127.0.0.1/nginx-health` → `/nginx-health` on 80). */
export function healthcheckPath(svc: ComposeServiceModel, target: number): string | undefined {
  const test = svc.healthcheck?.test;
  const text = Array.isArray(test) ? test.join(' ') : (test ?? '');
  for (const m of text.matchAll(/https?:\/\/(?:localhost|127\.0\.0\.1|\[::1\]|0\.0\.0\.0)(?::(\d+))?(\/[^\s"']*)?/g)) {
    const port = m[1] === undefined ? (m[0].startsWith('https') ? 443 : 80) : Number(m[1]);
    if (port === target) return m[2] ?? '/';
  }
  return undefined;
}

function hasHealthcheck(svc: ComposeServiceModel): boolean {
  const test = svc.healthcheck?.test;
  if (svc.healthcheck?.disable) return false;
  return Array.isArray(test) ? test.length > 0 && test[0] !== 'NONE' : Boolean(test);
}

/** A YAML scalar that is always read back as this string. */
const q = (s: string): string => JSON.stringify(s);

export interface InitOptions {
  /** The compose files as the config will name them (relative to the config's folder), merged in order. */
  composeFiles: string[];
  /** Where the model came from, for the header comment. */
  source: 'docker compose config' | 'YAML';
  /** The schema path for the editor line, relative to the config. */
  schema: string;
  /** False when the schema is not at that path yet (a development checkout): the header says how to get it. */
  schemaFound?: boolean;
  name: string;
}

/** The text of a commented `release-gate.yml` for this compose model. */
export function configFromCompose(model: ComposeModel, opts: InitOptions): string {
  const services = Object.keys(model.services).sort();
  const healthy = services.filter((s) => hasHealthcheck(model.services[s] as ComposeServiceModel));
  const ports = publishedPorts(model);
  const http = ports.filter((p) => !NOT_HTTP.has(p.target));
  const other = ports.filter((p) => NOT_HTTP.has(p.target));
  const urlOf = (p: PublishedPort): string => {
    const host = p.hostIp && p.hostIp !== '0.0.0.0' && p.hostIp !== '::' && p.hostIp !== '[::]' ? p.hostIp : '127.0.0.1';
    return `${p.target === 443 || p.target === 8443 ? 'https' : 'http'}://${host}:${p.published}`;
  };
  const first = http[0];
  // Where the TODO examples run migrate, seed and tests: the app, not the proxy in front of it.
  const app = appService(model.services) ?? 'backend';
  const lines: string[] = [
    `# yaml-language-server: $schema=${opts.schema}`,
    ...(opts.schemaFound === false ? ['# (that schema path appears with `npm install -D release-gate`; or `release-gate schema > release-gate.schema.json` and name that file above)'] : []),
    `# Generated by \`release-gate init\` from ${opts.composeFiles.join(' + ')} (read with ${opts.source}).`,
    '# Review it, fill the TODOs (migrate, seed, tests), then: release-gate plan && release-gate run',
    '# Reference: release-gate schema (or the $schema above, for completion in your editor).',
    `name: ${q(opts.name)}`,
    first ? `baseUrl: \${BASE_URL:-${urlOf(first)}}` : '# TODO baseUrl: no published HTTP port found; the URL of the app as this machine reaches it',
    ...(first ? [] : ['baseUrl: ${BASE_URL:-http://127.0.0.1:8080}']),
    '',
    '# Secrets: values from the environment, redacted from every log and report.',
    '# secrets: { env: [METRICS_TOKEN], generate: [ADMIN_PASSWORD] }',
    '',
    'stack:',
    '  driver: compose',
    `  file: ${opts.composeFiles.length === 1 ? q(opts.composeFiles[0] as string) : `[${opts.composeFiles.map(q).join(', ')}]`}`,
    '  envFile: ${COMPOSE_ENV_FILE:-.env}      # passed as --env-file when it exists',
    '  # Its own project name (so `down -v` never removes another project\'s volumes); default: derived from this folder.',
    '  project: ${COMPOSE_PROJECT_NAME:-}',
    '',
    '# At the end: stop the stack and remove its volumes (a gate leaves nothing behind; false keeps them to inspect).',
    'teardown: { volumes: true }',
    '',
    'criteria:',
    '  build: Build',
    '  boot: Boot',
    '  stability: Stability',
    '  # migrations: Migrations',
    '  # seed: Seed',
    '  # tests: Tests',
    '  logs: Logs',
    '',
    'phases:',
    '  - id: clean',
    '    title: Clean environment',
    '    steps:',
    '      - { log: 00_compose_down, do: down, volumes: true }',
    '',
    '  - id: build',
    '    title: Build (no cache)',
    '    steps:',
    '      - { log: 01_build_nocache, do: build, noCache: true, criterion: build }',
    '',
    '  - id: boot',
    '    title: Boot and stability',
    '    steps:',
    '      - { log: 02_up, do: up, criterion: boot }',
    `      # Every service running (${services.length}: ${services.join(', ') || 'none'}), and healthy where it has a healthcheck${healthy.length ? ` (${healthy.join(', ')})` : ''}.`,
    '      - { log: 03_ps_initial, do: ps, ready: true, timeout: 180s, criterion: boot }',
  ];
  let n = 4;
  for (const p of http) {
    const path = healthcheckPath(model.services[p.service] as ComposeServiceModel, p.target);
    // The first port is baseUrl's: a path, so that BASE_URL moves it too.
    const url = (tail: string): string => (p === first ? tail : `${urlOf(p)}${tail}`);
    const log = `${String(n++).padStart(2, '0')}_wait_${p.service.replace(/[^A-Za-z0-9_-]/g, '_')}_${p.published}`;
    if (path !== undefined) {
      lines.push(`      # ${p.service} publishes ${p.published} → ${p.target}; its healthcheck GETs ${path}.`);
      lines.push(`      - { log: ${log}, do: wait-http, url: ${q(url(path))}, timeout: 120s, service: ${q(p.service)}, criterion: boot }`);
    } else {
      // A 2xx, never a 404: an answer that is not the app's proves only that something listens (issue 25).
      lines.push(`      # ${p.service} publishes ${p.published} → ${p.target}. TODO: a health endpoint of yours instead of / (200 expected).`);
      lines.push(`      - { log: ${log}, do: wait-http, url: ${q(url('/'))}, timeout: 120s, service: ${q(p.service)}, criterion: boot }`);
    }
  }
  for (const p of other) lines.push(`      # ${p.service} publishes ${p.published} → ${p.target} (not HTTP): checked by 03_ps_initial.`);
  const stab = String(n++).padStart(2, '0');
  lines.push(
    '      # Watched from `up` to the final ps: 0 restarts, 0 exits, 0 OOM, 0 unhealthy. The window is a minimum;',
    '      # the next phases run inside it (`--stability 30s` for a quick try).',
    `      - { log: "${stab}_stability_{window}s", do: stability, window: 180s, criterion: stability }`,
    '',
    '  # TODO migrate: your migration command, run inside the app service. For example:',
    '  # - id: migrate',
    '  #   steps:',
    `  #     - { log: ${String(n++).padStart(2, '0')}_migrate, do: exec, service: ${app}, run: [python, manage.py, migrate, --noinput], criterion: migrations }`,
    '',
    '  # TODO seed: twice, and the second run must change nothing (idempotence.probe prints the state):',
    '  # - id: seed',
    '  #   steps:',
    `  #     - { log: ${String(n++).padStart(2, '0')}_seed_run1, do: exec, service: ${app}, run: [./seed.sh], criterion: seed }`,
    `  #     - { log: ${String(n++).padStart(2, '0')}_seed_run2, do: exec, service: ${app}, run: [./seed.sh], idempotence: { probe: [./dump-state.sh] }, criterion: seed }`,
    '',
    '  # TODO tests: your test suite; `results` reads its JUnit report (0 failed, 0 errors, 0 skipped).',
    '  # - id: tests',
    '  #   steps:',
    `  #     - { log: ${String(n++).padStart(2, '0')}_tests, do: exec, service: ${app}, run: [pytest, --junitxml=/tmp/junit.xml], results: { junit: /tmp/junit.xml }, criterion: tests }`,
    '',
    '  - id: logs',
    '    title: Logs capture',
    '    always: true',
    '    steps:',
    '      # Fails the gate on an error line: the patterns, and JSON lines by their level/severity field',
    '      # (error, critical, fatal, panic, alert, emergency, or pino/bunyan level >= 50): scan.structuredLevels,',
    '      # on by default (false reads the patterns only). A line to tolerate goes in allow.',
    `      - { log: ${String(n++).padStart(2, '0')}_compose_logs, do: logs, scan: { patterns: ['\\bERROR\\b', 'Traceback', '\\bFATAL\\b'], allow: [] }, criterion: logs }`,
    `      - { log: ${String(n++).padStart(2, '0')}_ps_final, do: ps }`,
    '',
    '  - id: summary',
    '    title: Validation summary',
    '    always: true',
    '    steps:',
    `      - { log: ${String(n++).padStart(2, '0')}_validation_summary, do: summary }`,
    '',
  );
  return lines.join('\n');
}
