import * as assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runHostileCase, smallLocalConfig, type HostileCase, type Sandbox } from './hostile-harness.js';
import { freePort } from './helpers.js';

/*
 * Issue "Safe by default", point 5: secrets stay hidden everywhere. URL credentials (baseUrl, a
 * wait-http URL, a scenario URL, a local healthcheck), `plan` with declared secrets, short
 * secrets refused at load, env-file and generated secrets. Each case runs the real CLI; the
 * harness checks that no secret appears on the console or in any file of the log dir.
 */

const PW = 'UrlPassw0rd-7Qx';
const PW_ENCODED = 'UrlPassw0rd%2D7Qx'; // the same password percent-encoded in a URL: still a secret

/** A small local gate whose service demands `Authorization: Basic <user:PW>` on every request (so a green proves the credential was sent). */
function authConfig(port: number, parts: { baseUrl?: string; health?: string; steps?: string; top?: string } = {}): string {
  const basic = Buffer.from(`admin:${PW}`).toString('base64');
  const server = `require('http').createServer((q, s) => { s.statusCode = q.headers.authorization === 'Basic ${basic}' ? 200 : 401; s.end('ok'); }).listen(${port}, '127.0.0.1')`;
  return smallLocalConfig({ port, ...(parts.steps ? { steps: parts.steps } : {}), ...(parts.top ? { top: parts.top } : {}) })
    .replace(/^baseUrl: .*$/m, `baseUrl: "${parts.baseUrl ?? `http://admin:${PW}@127.0.0.1:${port}`}"`)
    .replace(/command: \[node, -e, ".*"\]/, `command: [node, -e, "${server}"]`)
    .replace(/healthcheck: \{ http: "[^"]*"/, `healthcheck: { http: "${parts.health ?? `http://admin:${PW}@127.0.0.1:${port}/`}"`);
}

/** The failed wait's replay in report.html (HTML-escaped `"` put back). */
function replay(sandbox: Sandbox): string {
  const html = readFileSync(join(sandbox.logDir, 'report.html'), 'utf8').replaceAll('&quot;', '"').replaceAll('&#39;', "'");
  const curl = /<pre class="curl">([\s\S]*?)<\/pre>/.exec(html);
  assert.ok(curl, 'report.html holds a curl replay');
  return curl[1] as string;
}

/** Every file under the log dir, as text: for secrets only known after the run (a generated one). */
function logFiles(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const walk = (path: string) => {
    const stat = lstatSync(path);
    if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
    else if (stat.isFile()) out.push({ path, text: readFileSync(path, 'latin1') });
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

const WAIT_201 = (url: string) => `      - { log: 03_wait, do: wait-http, url: "${url}", status: 201, timeout: 1s, criterion: boot }`;
const WAIT_200 = (url: string) => `      - { log: 03_wait, do: wait-http, url: "${url}", criterion: boot }`;
const SCENARIO = (url: string, status: number) => `      - log: 04_e2e
        do: scenario
        criterion: boot
        scenario:
          each:
            - name: page
              request: { url: "${url}" }
              expect: { status: ${status} }`;

/** Cases whose port comes from freePort(): built when the test runs. */
type Case = (port: number) => HostileCase;

const urlCases: Case[] = [
  (port) => ({
    name: 'a password in baseUrl: a failed wait hides it everywhere, the replay reads $URL_PASSWORD',
    setup: (s) => ({ args: ['run', '-c', s.write('release-gate.yml', authConfig(port, { steps: WAIT_201('/health') }))] }),
    code: 1,
    names: ['03_wait'],
    secrets: [PW, Buffer.from(`admin:${PW}`).toString('base64')],
    after(_run, s) {
      assert.match(readFileSync(join(s.logDir, '03_wait.log'), 'utf8'), /GET http:\/\/\[REDACTED\]@127\.0\.0\.1/, 'the log shows the URL, its credential hidden');
      const curl = replay(s);
      assert.match(curl, /-u admin:"\$URL_PASSWORD"/);
      assert.match(curl, new RegExp(`'?http://127\\.0\\.0\\.1:${port}/health'?`), 'the replayed URL is bare');
      for (const file of ['summary.json', 'junit.xml', 'manifest.json']) assert.ok(existsSync(join(s.logDir, file)), `${file} written`);
    },
  }),
  (port) => ({
    name: 'baseUrl from a variable: the replay reads the password from <VARIABLE>_PASSWORD',
    setup: (s) => ({
      args: ['run', '-c', s.write('release-gate.yml', authConfig(port, { baseUrl: '${APP_URL}', steps: WAIT_201('/health') }))],
      env: { APP_URL: `http://admin:${PW}@127.0.0.1:${port}` },
    }),
    code: 1,
    names: ['03_wait'],
    secrets: [PW],
    after: (_run, s) => assert.match(replay(s), /-u admin:"\$APP_URL_PASSWORD"/),
  }),
  (port) => ({
    name: 'a percent-encoded password in a wait-http URL is hidden in both forms',
    setup: (s) => ({ args: ['run', '-c', s.write('release-gate.yml', authConfig(port, { steps: WAIT_201(`http://admin:${PW_ENCODED}@127.0.0.1:${port}/metrics`) }))] }),
    code: 1,
    names: ['03_wait'],
    secrets: [PW, PW_ENCODED],
    after: (_run, s) => assert.match(replay(s), /-u admin:"\$URL_PASSWORD"/),
  }),
  (port) => ({
    name: 'a URL password taken from a declared secret: the replay reads that variable',
    setup: (s) => ({
      args: ['run', '-c', s.write('release-gate.yml', authConfig(port, { top: 'secrets: { env: [ADMIN_PW] }', steps: WAIT_201(`http://admin:\${ADMIN_PW}@127.0.0.1:${port}/x`) }))],
      env: { ADMIN_PW: PW },
    }),
    code: 1,
    names: ['03_wait'],
    secrets: [PW],
    after: (_run, s) => assert.match(replay(s), /-u admin:"\$ADMIN_PW"/),
  }),
  (port) => ({
    name: 'a token as the URL user (no password) is the secret: hidden, replayed as $URL_USER',
    setup: (s) => ({ args: ['run', '-c', s.write('release-gate.yml', authConfig(port, { steps: WAIT_201(`http://ghp_T0kenAsUser123@127.0.0.1:${port}/x`) }))] }),
    code: 1,
    names: ['03_wait'],
    secrets: ['ghp_T0kenAsUser123'],
    after: (_run, s) => assert.match(replay(s), /-u "\$URL_USER": /),
  }),
  (port) => ({
    name: 'a password in a scenario step URL: the failed step is printed without it',
    setup: (s) => ({ args: ['run', '-c', s.write('release-gate.yml', authConfig(port, { steps: SCENARIO(`http://admin:${PW}@localhost:${port}/api/x/`, 201) }))] }),
    code: 1,
    names: ['04_e2e', /\[REDACTED\]@localhost/],
    secrets: [PW],
  }),
  (port) => ({
    name: 'a password in a local healthcheck URL that never answers: the failed gate reports the service without it',
    setup: (s) => ({
      args: [
        'run',
        '-c',
        s.write('release-gate.yml', authConfig(port, { health: `http://admin:${PW}@127.0.0.1:${port}/`, steps: WAIT_201('/health') }).replace(/listen\(\d+/, `listen(${port + 1}`)),
      ],
    }),
    code: 1,
    names: ['03_wait'],
    secrets: [PW],
  }),
  (port) => ({
    name: 'credentials in baseUrl, a wait, a scenario and the healthcheck: the gate passes (Basic auth sent) and shows none',
    setup: (s) => ({ args: ['run', '-c', s.write('release-gate.yml', authConfig(port, { steps: `${WAIT_200('/health')}\n${SCENARIO('/api/x/', 200)}` }))] }),
    code: 0,
    names: ['GATE PASSED'],
    secrets: [PW, Buffer.from(`admin:${PW}`).toString('base64')],
  }),
  () => ({
    name: 'a config error quoting a credentialed URL masks the credential',
    setup: (s) => ({ args: ['plan', '-c', s.write('release-gate.yml', smallLocalConfig({ port: 9 }).replace(/^baseUrl: .*$/m, `baseUrl: "http://admin:${PW}@127.0.0.1:notaport"`))] }),
    code: 2,
    names: ['baseUrl', 'http://[REDACTED]@'],
    secrets: [PW],
  }),
];

const planCases: HostileCase[] = [
  {
    name: 'plan hides declared secrets and URL credentials as run does (run-style config)',
    setup: (s) => ({
      args: [
        'plan',
        '-c',
        s.write(
          'release-gate.yml',
          smallLocalConfig({
            port: 9,
            top: 'secrets: { env: [DEPLOY_TOKEN] }',
            steps: '      - { log: 03_deploy, do: host, run: [echo, "${DEPLOY_TOKEN}"] }',
          }).replace(/^baseUrl: .*$/m, `baseUrl: "http://admin:${PW}@127.0.0.1:9"`),
        ),
      ],
      env: { DEPLOY_TOKEN: 'DeployTok3n-998877' },
    }),
    code: 0,
    names: ['03_deploy', 'echo [REDACTED]', 'http://[REDACTED]@127.0.0.1:9'],
    secrets: ['DeployTok3n-998877', PW],
  },
  {
    name: 'plan of the korrigo preset with its secrets set and a credentialed NGINX_BASE_URL prints none',
    setup: (s) => ({
      // The preset's compose file exists: plan checks it as run does.
      ...(s.write('infra/docker/docker-compose.local-prod.yml', 'services: {}\n') && {}),
      args: ['plan', '--preset', 'korrigo'],
      env: { ADMIN_PASSWORD: 'AdminPw-123456', TEACHER_PASSWORD: 'TeacherPw-654321', METRICS_TOKEN: 'MetricsTok-abcdef', NGINX_BASE_URL: `http://admin:${PW}@localhost:8088` },
    }),
    code: 0,
    names: ['secrets:  METRICS_TOKEN', 'baseUrl:  http://[REDACTED]@localhost:8088'],
    secrets: ['AdminPw-123456', 'TeacherPw-654321', 'MetricsTok-abcdef', PW],
  },
  {
    name: 'plan hides env-file secrets (secret-looking names, URL credentials) of a compose stack',
    setup: (s) => {
      s.write('.env', `SECRET_KEY=EnvF1leSecretKey99\nREDIS_URL=redis://:RedisPw-4455@cache:6379/0\n`);
      s.write('compose.yml', 'services: {}\n');
      const config = `name: envfile
baseUrl: http://127.0.0.1:9
stack: { driver: compose, file: compose.yml, envFile: .env }
phases:
  - id: A
    steps:
      - { log: 00_show, do: host, run: [echo, "\${SECRET_KEY}", "\${REDIS_URL}"] }
`;
      return { args: ['plan', '-c', s.write('release-gate.yml', config)] };
    },
    code: 0,
    names: ['00_show', 'echo [REDACTED]'],
    secrets: ['EnvF1leSecretKey99', 'RedisPw-4455'],
  },
];

/** A gate with one declared secret used by a host step (the value is echoed: redaction must hide it). */
const secretConfig = (top: string) =>
  smallLocalConfig({ port: 9, top, steps: '      - { log: 03_use, do: host, run: [echo, "using ${SHORT_TOKEN}"], criterion: boot }' })
    // No service needed: these cases are about the secret, not the stack.
    .replace(/stack:[\s\S]*?phases:/, 'stack: { driver: local, services: {} }\nphases:')
    .replace(/ {6}- \{ log: 02_ps.*\n/, '');

const shortCases: HostileCase[] = [
  {
    name: 'a declared secret of 3 characters is refused at load (plan): variable and minimum named',
    setup: (s) => ({ args: ['plan', '-c', s.write('release-gate.yml', secretConfig('secrets: { env: [SHORT_TOKEN] }'))], env: { SHORT_TOKEN: 'q7z' } }),
    code: 2,
    names: ['SHORT_TOKEN', 'shorter than 6 characters', 'secrets.allowShort'],
    secrets: ['q7z'],
    after: (_run, s) => assert.ok(!existsSync(s.logDir), 'nothing ran: no log dir'),
  },
  {
    name: 'a declared secret of 5 characters is refused at load (run): nothing runs',
    setup: (s) => ({ args: ['run', '-c', s.write('release-gate.yml', secretConfig('secrets: { env: [SHORT_TOKEN] }'))], env: { SHORT_TOKEN: 'q7z9w' } }),
    code: 2,
    names: ['SHORT_TOKEN', 'shorter than 6 characters'],
    secrets: ['q7z9w'],
    after: (_run, s) => assert.ok(!existsSync(s.logDir), 'nothing ran: no log dir'),
  },
  {
    name: 'a short value given to a secret the gate would generate is refused too',
    setup: (s) => ({ args: ['run', '-c', s.write('release-gate.yml', secretConfig('secrets: { generate: [SHORT_TOKEN] }'))], env: { SHORT_TOKEN: 'q7z9w' } }),
    code: 2,
    names: ['secrets.generate SHORT_TOKEN', 'shorter than 6 characters'],
    secrets: ['q7z9w'],
  },
  {
    name: 'a short secret accepted by secrets.allowShort runs, and the console says it is not redacted (name only)',
    setup: (s) => ({
      args: ['run', '-c', s.write('release-gate.yml', secretConfig('secrets: { env: [SHORT_TOKEN], allowShort: [SHORT_TOKEN] }'))],
      env: { SHORT_TOKEN: 'q7z9w' },
    }),
    code: 0,
    names: [/not redacted: SHORT_TOKEN/, 'GATE PASSED'],
    after: (run) => assert.ok(!/not redacted[^\n]*q7z9w/.test(run.output), 'the notice never holds the value'),
  },
  {
    name: 'a DSN password in env, printed alone (not as a URL) by a step, is hidden: URL credentials are collected as secrets',
    setup: (s) => ({
      args: [
        'run',
        '-c',
        s.write(
          'release-gate.yml',
          secretConfig('env: { DB_URL: "postgres://app:DbPassw0rd-42@db:5432/app" }').replace(
            '[echo, "using ${SHORT_TOKEN}"]',
            `[sh, -c, 'echo "$DB_URL" | cut -d: -f3 | cut -d@ -f1 | sed "s/^/db password: /"'], env: { DB_URL: "postgres://app:DbPassw0rd-42@db:5432/app" }`,
          ),
        ),
      ],
    }),
    code: 0,
    names: ['GATE PASSED'],
    secrets: ['DbPassw0rd-42'],
    after: (_run, s) => assert.match(readFileSync(join(s.logDir, '03_use.log'), 'utf8'), /db password: \[REDACTED\]/),
  },
  {
    name: 'an empty declared secret is no secret: not refused',
    setup: (s) => ({ args: ['plan', '-c', s.write('release-gate.yml', secretConfig('secrets: { env: [SHORT_TOKEN] }'))], env: { SHORT_TOKEN: '' } }),
    code: 0,
    names: ['SHORT_TOKEN'],
  },
  {
    name: 'a generated secret is hidden in every output of a run that prints it',
    setup: (s) => ({
      args: [
        'run',
        '-c',
        s.write(
          'release-gate.yml',
          secretConfig('secrets: { generate: [GEN_PW] }').replace('[echo, "using ${SHORT_TOKEN}"]', `[sh, -c, 'echo "$GEN_PW" > "$0"; echo "generated: $GEN_PW"', ${JSON.stringify(join(s.root, 'gen.txt'))}], env: { GEN_PW: "\${GEN_PW}" }`),
        ),
      ],
    }),
    code: 0,
    names: ['03_use', 'GATE PASSED'],
    mayChange: ['gen.txt'],
    after(run, s) {
      assert.match(readFileSync(join(s.logDir, '03_use.log'), 'utf8'), /generated: \[REDACTED\]/);
      const generated = readFileSync(join(s.root, 'gen.txt'), 'utf8').trim();
      assert.ok(generated.length >= 16, 'a value was generated and given to the step');
      assert.ok(!run.output.includes(generated), 'the generated value is printed');
      for (const file of logFiles(s.logDir)) assert.ok(!file.text.includes(generated), `the generated value is in ${file.path}`);
    },
  },
];

/** The log dir's parent (`logs/`) is created with it: the run's own, like the log dir. */
const run = (c: HostileCase) => runHostileCase({ ...c, mayChange: ['logs', ...(c.mayChange ?? [])] });

describe('hostile input: secrets stay hidden everywhere', () => {
  for (const make of urlCases) {
    const title = make(0).name;
    it(title, async () => {
      await run(make(await freePort()));
    });
  }
  for (const c of [...planCases, ...shortCases]) it(c.name, async () => void (await run(c)));
});
