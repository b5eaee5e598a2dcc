import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli, tempDir, writeConfig } from './helpers.js';

/*
 * Bad inputs a user can give — configs, environment values, flags — each refused up front:
 * exit 2, the place named (file:line:col, YAML path, variable or flag), and nothing started:
 * the stack's only service writes a file the moment it starts, and no log dir is created.
 */

interface Parts {
  baseUrl?: string;
  /** Lines under `top:` level (indented 0). */
  top?: string;
  /** Extra steps of phase B (YAML flow items, one per line, indented 6). */
  steps?: string;
  /** The web service's healthcheck line. */
  healthcheck?: string;
  /** The web service's extra lines (indented 6). */
  service?: string;
}

function config(p: Parts = {}): string {
  return `name: corpus
baseUrl: ${p.baseUrl ?? 'http://127.0.0.1:18999'}
criteria: { boot: Boot }
${p.top ?? ''}
stack:
  driver: local
  services:
    web:
      command: [node, -e, "require('fs').writeFileSync(process.env.STARTED_FILE, 'started')"]
      ${p.healthcheck ?? 'healthcheck: { http: "http://127.0.0.1:18999/", interval: 200ms }'}
${p.service ?? ''}
phases:
  - id: A
    steps:
      - { log: 00_down, do: down }
      - { log: 01_up, do: up }
  - id: B
    steps:
      - { log: 02_ps, do: ps, criterion: boot }
${p.steps ?? ''}
`;
}

const scenario = (step: string) => `      - log: 03_e2e
        do: scenario
        scenario:
          each:
            - ${step}`;

interface Case {
  name: string;
  /** The config's text; a function gets the test's folder (for files it refers to). */
  yaml?: string | ((dir: string) => string);
  env?: Record<string, string>;
  /** Extra CLI arguments; `{dir}` is the test's folder. */
  args?: string[];
  /** The log dir: `new` (default, must not appear), or prepared before the run. */
  logDir?: 'new' | 'file' | 'non-empty' | 'under-a-file';
  /** Use LOG_DIR instead of --log-dir. */
  logDirByEnv?: boolean;
  code?: number;
  /** The named place and what is wrong, in stderr. */
  where: RegExp;
}

const FILE = 'release-gate\\.yml:\\d+:\\d+';
const cases: Case[] = [
  // URLs, after interpolation
  { name: 'baseUrl that is not a URL', yaml: config({ baseUrl: 'not-a-url' }), where: new RegExp(`${FILE} baseUrl: not a URL "not-a-url"`) },
  { name: 'baseUrl with an ftp:// scheme', yaml: config({ baseUrl: 'ftp://127.0.0.1/' }), where: new RegExp(`${FILE} baseUrl: unsupported scheme "ftp:"`) },
  { name: 'NGINX_BASE_URL=garbage', yaml: config({ baseUrl: '${NGINX_BASE_URL:-http://127.0.0.1:8088}' }), env: { NGINX_BASE_URL: 'garbage' }, where: new RegExp(`${FILE} baseUrl: not a URL "garbage"`) },
  { name: 'NGINX_BASE_URL=ftp://…', yaml: config({ baseUrl: '${NGINX_BASE_URL}' }), env: { NGINX_BASE_URL: 'ftp://example.test/' }, where: /baseUrl: unsupported scheme "ftp:"/ },
  { name: 'an unclosed ${… in baseUrl', yaml: config({ baseUrl: '"${NGINX_BASE_URL:-http://127.0.0.1:8088"' }), where: new RegExp(`${FILE} baseUrl: invalid interpolation "\\$\\{NGINX_BASE_URL`) },
  { name: 'an unknown interpolation form ${X#y} in env', yaml: config({ top: 'env: { A: "${HOME#/}" }' }), where: /env\.A: invalid interpolation "\$\{HOME#\/\}"/ },
  { name: 'baseUrl given as a number', yaml: config({ baseUrl: '42' }), where: new RegExp(`${FILE} baseUrl: expected a string`) },
  { name: 'baseUrl without a host', yaml: config({ baseUrl: 'http://' }), where: /baseUrl: not a URL "http:\/\/"/ },
  { name: 'a wait-http url with ftp://', yaml: config({ steps: '      - { log: 03_wait, do: wait-http, url: "ftp://127.0.0.1/health" }' }), where: /phases\[1\]\.steps\[1\]\.url: unsupported scheme/ },
  { name: 'a wait-http url that is neither a URL nor a /path', yaml: config({ steps: '      - { log: 03_wait, do: wait-http, url: "health" }' }), where: /phases\[1\]\.steps\[1\]\.url: not a URL "health"/ },
  { name: 'a wait-http via.baseUrl that is not a URL', yaml: config({ steps: '      - { log: 03_wait, do: wait-http, url: /health, via: { service: web, baseUrl: nope } }' }), where: /steps\[1\]\.via\.baseUrl: not a URL "nope"/ },
  { name: 'a local healthcheck URL without a scheme', yaml: config({ healthcheck: 'healthcheck: { http: "localhost:18999/health" }' }), where: /stack\.services\.web\.healthcheck\.http: unsupported scheme "localhost:"/ },
  // JSONPaths
  { name: 'a wait-http expect.jsonPath with an unclosed [', yaml: config({ steps: '      - { log: 03_wait, do: wait-http, url: /health, expect: { jsonPath: "$.status[" } }' }), where: /expect\.jsonPath: invalid JSONPath "\$\.status\[": unclosed "\["/ },
  { name: 'a wait-http expect.jsonPath without $', yaml: config({ steps: '      - { log: 03_wait, do: wait-http, url: /health, expect: { jsonPath: "status" } }' }), where: /expect\.jsonPath: invalid JSONPath "status": a JSONPath starts with \$/ },
  { name: 'a scenario capture whose filter does not parse', yaml: config({ steps: scenario(`{ name: list, request: { url: /api/ }, capture: { copy: "$.results[?(@.status==)].id" } }`) }), where: /capture\.copy: invalid JSONPath .*invalid expression "@\.status==": Expected expression after ==/ },
  { name: 'a scenario capture { path } with a stray ]', yaml: config({ steps: scenario(`{ name: list, request: { url: /api/ }, capture: { copy: { path: "$.results]" } } }`) }), where: /capture\.copy\.path: invalid JSONPath "\$\.results\]": unbalanced "\]"/ },
  { name: 'a scenario assert path with an unclosed (', yaml: config({ steps: scenario(`{ name: list, request: { url: /api/ }, assert: [{ path: "$.results[?(@.x", exists: true }] }`) }), where: /assert\[0\]\.path: invalid JSONPath/ },
  { name: 'a scenario paginate.next with an unclosed quote', yaml: config({ steps: scenario(`{ name: list, request: { url: /api/ }, paginate: { next: "$['next" } }`) }), where: /paginate\.next: invalid JSONPath .*unclosed quote/ },
  // Regexes
  { name: 'a secret pattern that is not a regex', yaml: config({ top: "secrets: { patterns: ['password=(\\S+'] }" }), where: /secrets\.patterns\[0\]: invalid regular expression/ },
  { name: 'a log scan pattern that is not a regex', yaml: config({ steps: "      - { log: 03_logs, do: logs, scan: { patterns: ['[unclosed'] } }" }), where: /steps\[1\]\.scan\.patterns\[0\]: invalid regular expression/ },
  // Durations within bounds
  { name: 'a timeout that is not a duration', yaml: config({ steps: '      - { log: 03_wait, do: wait-http, url: /health, timeout: soon }' }), where: /steps\[1\]\.timeout: expected a duration/ },
  { name: 'a timeout of 0s', yaml: config({ steps: '      - { log: 03_wait, do: wait-http, url: /health, timeout: 0s }' }), where: /steps\[1\]\.timeout: must be at least 1ms/ },
  { name: 'a timeout of 99999h', yaml: config({ steps: '      - { log: 03_wait, do: wait-http, url: /health, timeout: 99999h }' }), where: /steps\[1\]\.timeout: must be at most/ },
  { name: 'a stability window of 99999h', yaml: config({ steps: '      - { log: 03_stability, do: stability, window: 99999h }' }), where: /steps\[1\]\.window: must be at most/ },
  { name: 'a deadline of 0', yaml: config({ top: 'deadline: 0s' }), where: new RegExp(`${FILE} deadline: must be at least`) },
  { name: 'a deadline of 99999h', yaml: config({ top: 'deadline: 99999h' }), where: new RegExp(`${FILE} deadline: must be at most`) },
  { name: 'a healthcheck interval of -1', yaml: config({ healthcheck: 'healthcheck: { http: "http://127.0.0.1:18999/", interval: -1 }' }), where: /healthcheck\.interval: expected a duration/ },
  // References between steps, services, criteria; shape
  { name: 'an unknown step kind', yaml: config({ steps: '      - { log: 03_x, do: explode }' }), where: /phases\[1\]\.steps\[1\]\.do: unknown do value \(received "explode"\); allowed: .*wait-http/ },
  { name: 'an unknown top-level key', yaml: config({ top: 'stabilty: 3s' }), where: new RegExp(`${FILE} stabilty: unknown key "stabilty"`) },
  { name: 'an unknown criterion', yaml: config({ steps: '      - { log: 03_ps, do: ps, criterion: bot }' }), where: /steps\[1\]\.criterion: unknown criterion "bot"; declared: boot/ },
  { name: 'an unknown service in a step', yaml: config({ steps: '      - { log: 03_wait, do: wait-http, url: /health, service: wbe }' }), where: /steps\[1\]\.service: unknown service "wbe"; declared: web/ },
  { name: 'an unknown service in dependsOn', yaml: config({ service: '      dependsOn: { db: healthy }' }), where: /stack\.services\.web\.dependsOn\.db: unknown service "db"/ },
  { name: 'a duplicate phase id', yaml: config({ steps: '  - id: A\n    steps: [{ log: 09_x, do: ps }]' }), where: /phases\[2\]\.id: duplicate phase id "A"/ },
  { name: 'two steps with one log name', yaml: config({ steps: '      - { id: other, log: 02_ps, do: ps }' }), where: /steps\[1\]\.log: duplicate log name "02_ps"/ },
  { name: 'teardown.volumes given as a string', yaml: config({ top: 'teardown: { volumes: "yes" }' }), where: /teardown\.volumes: expected a boolean \(received "yes"\)/ },
  { name: 'an unknown reporter', yaml: config({ top: 'reporters: [pdf]' }), where: /reporters\[0\]: .*received "pdf"/ },
  { name: 'a swarm stack publishing ports in an unknown mode', yaml: 'stack: { driver: swarm, file: compose.yml, publishMode: mesh }\nphases: [{ id: A, steps: [{ log: 00_down, do: down }] }]\n', where: /release-gate\.yml:1:57 stack\.publishMode: .*expected one of "host"\|"ingress" \(received "mesh"\)/ },
  { name: 'a swarm stack whose compose file is missing', yaml: 'stack: { driver: swarm, file: missing-compose.yml }\nphases: [{ id: A, steps: [{ log: 00_down, do: down }] }]\n', where: /stack\.file: compose file not found: .*missing-compose\.yml/ },
  { name: 'no phase at all', yaml: 'stack: { driver: local, services: { web: { command: [node] } } }\nphases: []\n', where: /phases: .*(at least|>=)/i },
  { name: 'a required variable that is unset', yaml: config({ baseUrl: '"${APP_URL:?set APP_URL to the app}"' }), where: /baseUrl: environment variable APP_URL is required: set APP_URL to the app/ },
  // YAML itself
  { name: 'a YAML syntax error', yaml: 'name: x\nphases: [\n  - id: A\n', where: /release-gate\.yml:\d+:\d+: YAML syntax/ },
  { name: 'a duplicate key', yaml: config({ top: 'name: again' }), where: /release-gate\.yml:4:1: duplicate key "name"/ },
  {
    name: 'a YAML alias bomb',
    yaml: ['a: &a [x,x,x,x,x,x,x,x,x]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]', 'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]', 'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]', ''].join('\n'),
    where: /release-gate\.yml: YAML aliases expand too much/,
  },
  { name: 'a config that is a list, not a mapping', yaml: '- a\n- b\n', where: /release-gate\.yml: the config must be a YAML mapping/ },
  { name: 'extends naming a missing file', yaml: `extends: ./missing.yml\n${config()}`, where: /release-gate\.yml: extends: file not found: .*missing\.yml/ },
  { name: 'extends naming an unknown preset', yaml: `extends: korigo\n${config()}`, where: /unknown preset "korigo"/ },
  { name: 'an extends cycle', yaml: (dir) => (writeFileSync(join(dir, 'b.yml'), 'extends: ./release-gate.yml\n'), `extends: ./b.yml\n${config()}`), where: /extends cycle: .*release-gate\.yml → .*b\.yml → .*release-gate\.yml/ },
  // Log dir: env and flags
  { name: 'LOG_DIR pointing at an existing file', yaml: config(), logDir: 'file', logDirByEnv: true, where: /LOG_DIR .*: is a file, not a folder/ },
  { name: '--log-dir pointing at a folder with files in it', yaml: config(), logDir: 'non-empty', where: /--log-dir .*: is not empty/ },
  { name: '--log-dir under a file', yaml: config(), logDir: 'under-a-file', where: /--log-dir .*: cannot be created: .* is a file/ },
  // Flags
  { name: '--stability 0s', yaml: config(), args: ['--stability', '0s'], where: /--stability: 0s is out of range/ },
  { name: '--stability 99999h', yaml: config(), args: ['--stability', '99999h'], where: /--stability: 99999h is out of range/ },
  { name: '--stability that is not a duration', yaml: config(), args: ['--stability', 'soon'], where: /--stability: "soon" is not a duration/ },
  { name: '--deadline 0', yaml: config(), args: ['--deadline', '0'], where: /--deadline: "0" is not a positive duration/ },
  { name: '--deadline 99999h', yaml: config(), args: ['--deadline', '99999h'], where: /--deadline: 99999h is out of range/ },
  { name: '--only naming an unknown step', yaml: config(), args: ['--only', '06_stability'], where: /--only: unknown phase or step "06_stability"[\s\S]*steps: 00_down, 01_up, 02_ps/ },
  { name: '--skip naming an unknown phase', yaml: config(), args: ['--skip', 'Z'], where: /--skip: unknown phase or step "Z"[\s\S]*phases: A, B/ },
  { name: '--sign-key naming a missing file', yaml: config(), args: ['--sign-key', '{dir}/gate.key'], where: /--sign-key: cannot read .*gate\.key/ },
  // Several problems of different origins: all listed in one message, not one per run.
  {
    name: 'a bad flag, a bad config value and a bad log dir, all listed at once',
    yaml: config({ baseUrl: 'not-a-url' }),
    args: ['--stability', '0s'],
    logDir: 'non-empty',
    where: new RegExp(`Invalid configuration \\(3 problems\\):\\n  - --stability: 0s is out of range[\\s\\S]*\\n  - \\S*${FILE} baseUrl: not a URL[\\s\\S]*\\n  - --log-dir .*: is not empty`),
  },
  {
    name: 'a bad flag, an unknown --only name and a bad switch value, all listed at once',
    yaml: config({ top: 'switches: { MODE: { values: [a, b], default: a, description: "a mode" } }' }),
    env: { MODE: 'c' },
    args: ['--deadline', '0', '--only', 'nope', '--sign-key', '{dir}/gate.key'],
    where: /Invalid configuration \(4 problems\):\n  - --deadline: [\s\S]*\n  - --sign-key: cannot read[\s\S]*\n  - env MODE: "c" is not a value of this switch[\s\S]*\n  - --only: unknown phase or step "nope"/,
  },
  { name: 'an unknown flag', yaml: config(), args: ['--frobnicate'], where: /unknown option '--frobnicate'/ },
  { name: '--config naming a missing file', args: ['--config', '{dir}/nope.yml'], where: /nope\.yml: config file not found/ },
  { name: '--preset naming an unknown preset', args: ['--preset', 'korigo'], where: /unknown preset "korigo"/ },
];

describe('bad inputs are refused up front: exit 2, the place named, nothing started', () => {
  it('has at least 40 cases', () => assert.ok(cases.length >= 40, `${cases.length} cases`));

  for (const c of cases) {
    it(`refuses ${c.name}`, async () => {
      const dir = tempDir();
      const started = join(dir, 'started');
      const args = ['run'];
      if (c.yaml !== undefined) args.push('--config', writeConfig(dir, typeof c.yaml === 'string' ? c.yaml : c.yaml(dir)));
      const logDir = join(dir, c.logDir === 'under-a-file' ? 'a-file/logs' : 'logs');
      if (c.logDir === 'file') writeFileSync(logDir, 'not a folder');
      if (c.logDir === 'non-empty') (mkdirSync(logDir), writeFileSync(join(logDir, 'old.log'), 'earlier evidence'));
      if (c.logDir === 'under-a-file') writeFileSync(join(dir, 'a-file'), 'not a folder');
      const env: Record<string, string> = { STARTED_FILE: started, ...c.env };
      if (c.logDirByEnv) env['LOG_DIR'] = logDir;
      else args.push('--log-dir', logDir);
      args.push(...(c.args ?? []).map((a) => a.replace('{dir}', dir)));
      const before = readdirSync(dir).sort();
      const run = await runCli(args, { cwd: dir, env });
      assert.equal(run.code, c.code ?? 2, `exit code\n${run.stdout}${run.stderr}`);
      assert.match(run.stderr, c.where);
      assert.ok(!run.stderr.includes('    at '), 'no stack trace without --verbose');
      assert.ok(!existsSync(started), 'the stack was started');
      assert.deepEqual(readdirSync(dir).sort(), before, 'something was created (a log dir?)');
      if (c.logDir === 'non-empty') assert.deepEqual(readdirSync(logDir), ['old.log']);
      // The console prints one line per step that ran (`✓ 00_down.log 5ms — …`): none.
      assert.doesNotMatch(run.stdout, /[✓✗■] \S+\.log /, 'a step ran');
    });
  }
});
