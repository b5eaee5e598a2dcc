import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { createRequire } from 'node:module';
import { parse as parseYaml } from 'yaml';
import { fileURLToPath } from 'node:url';
import { RgConfigError, type ConfigIssue } from '../common/errors.js';
import { loadConfig, presetPath } from './loader.js';
import { ParseCache } from './parse-cache.js';
import type { LocalServiceConfig } from '../drivers/local/local-service-config.js';
import { testDir } from '../common/test-dir.fixture.js';

/** What a run gives the final load: the preset's generated secrets exist by then (resolveRun). */
const GENERATED = { ADMIN_PASSWORD: 'generated-admin-1', TEACHER_PASSWORD: 'generated-teacher-1', TEST_PROF_PASSWORD: 'generated-prof-1' };

const YAML_VERSION = (createRequire(import.meta.url)('yaml/package.json') as { version: string }).version;

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const KORRIGO_LITE = join(ROOT, 'examples/korrigo-lite/release-gate.yml');

/** Writes the files (the first is the config) in a fresh folder. */
function writeFiles(files: Record<string, string>): { dir: string; config: string } {
  const dir = testDir('rg-loader-');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, config: join(dir, Object.keys(files)[0] ?? 'release-gate.yml') };
}

function load(files: Record<string, string>, preset?: string) {
  const { dir, config } = writeFiles(files);
  return { dir, config, loaded: () => loadConfig({ configPath: config, cwd: dir, env: GENERATED, ...(preset ? { preset } : {}) }) };
}

/** The issues of an invalid config; fails when the config loads. */
function problems(files: Record<string, string>, preset?: string): { dir: string; config: string; issues: ConfigIssue[] } {
  const { dir, config, loaded } = load(files, preset);
  try {
    loaded();
  } catch (err) {
    if (err instanceof RgConfigError) return { dir, config, issues: err.issues };
    throw err;
  }
  assert.fail('expected an invalid configuration');
}

const lines = (issues: ConfigIssue[]) => issues.map((i) => `${i.where}: ${i.message}`).join('\n');

const LOCAL_STACK = `
stack:
  driver: local
  services:
    web: { command: [node, server.js] }
`;

describe('config errors point to the file that sets the value', () => {
  const cases: [string, (dir: string) => string][] = [
    ['a relative path to korrigo-lite', (dir) => relative(dir, KORRIGO_LITE)],
    ['the korrigo preset', () => 'korrigo'],
  ];
  for (const [name, parent] of cases) {
    it(`reports a bad timeout restated in a child of ${name} at the child's line, not the preset's`, () => {
      const { dir } = load({});
      const { config, issues } = problems({
        'release-gate.yml': `extends: ${parent(dir)}
phases:
  - id: C
    steps:
      - { id: 07_migrate_check, timeout: "abc" }
`,
      });
      assert.equal(issues.length, 1, lines(issues));
      const [issue] = issues;
      assert.match(issue?.where ?? '', new RegExp(`^${escape(config)}:5:\\d+ phases\\[\\d+\\]\\.steps\\[\\d+\\]\\.timeout$`));
      assert.ok(!issue?.where.includes(presetPath('korrigo')));
      assert.match(issue?.message ?? '', /duration.*received "abc"/);
    });
  }

  it('reports a bad value set only in the parent at the parent file', () => {
    const { dir, issues } = problems({
      'release-gate.yml': `extends: ./base.yml\nname: child\n`,
      'base.yml': `${LOCAL_STACK}
phases:
  - id: A
    steps:
      - { log: 01_up, do: up }
      - { log: 02_ps, do: ps, timeout: later }
`,
    });
    assert.equal(issues.length, 1, lines(issues));
    assert.match(issues[0]?.where ?? '', new RegExp(`^${escape(join(dir, 'base.yml'))}:11:\\d+ phases\\[0\\]\\.steps\\[1\\]\\.timeout$`));
  });

  it('reports a value overridden by the child at the child, even when the parent has the key at the same position', () => {
    const { config, issues } = problems({
      'release-gate.yml': `extends: ./base.yml
phases:
  - id: A
    steps:
      - { log: 01_up, timeout: never }
`,
      'base.yml': `${LOCAL_STACK}
phases:
  - id: A
    steps:
      - { log: 01_up, do: up, timeout: 5s }
`,
    });
    assert.equal(issues.length, 1, lines(issues));
    assert.match(issues[0]?.where ?? '', new RegExp(`^${escape(config)}:5:\\d+ `));
  });

  it('gives no line but the path, the step and both files for a value merged from two files', () => {
    const { dir, config, issues } = problems({
      'release-gate.yml': `extends: ./base.yml
stack:
  services:
    web: { healthcheck: { http: "http://127.0.0.1:1/" } }
`,
      'base.yml': `
stack:
  driver: local
  services:
    web: { command: [node, server.js], healthcheck: { command: "true" } }
phases:
  - id: A
    steps: [{ log: 01_up, do: up }]
`,
    });
    assert.equal(issues.length, 1, lines(issues));
    const where = issues[0]?.where ?? '';
    assert.ok(!/:\d+:\d+/.test(where), where);
    assert.match(where, /^stack\.services\.web\.healthcheck \(set in /);
    assert.ok(where.includes(config) && where.includes(join(dir, 'base.yml')), where);
  });

  it('locates a step by its id when it repeats a log name of the same file', () => {
    const { config, issues } = problems({
      'release-gate.yml': `${LOCAL_STACK}
phases:
  - id: A
    steps:
      - { log: 01_up, do: up }
      - { log: 01_up, do: up, timeout: soon }
`,
    });
    assert.deepEqual(
      issues.map((i) => i.where.replace(/:11:\d+ /, ':11:COL ')),
      [`${config}:11:COL phases[0].steps[1].timeout`, `${config}:11:COL phases[0].steps[1]`, `${config}:11:COL phases[0].steps[1].log`],
      lines(issues),
    );
  });

  it('reports a file given with --preset overridden by the config file at the config file', () => {
    const { config, issues } = problems({ 'release-gate.yml': 'stack: { minFreeDiskMb: -1 }\n' }, 'korrigo');
    assert.equal(issues.length, 1, lines(issues));
    assert.match(issues[0]?.where ?? '', new RegExp(`^${escape(config)}:1:\\d+ stack\\.minFreeDiskMb$`));
  });
});

describe('invalid regular expressions are config errors', () => {
  const cases: [string, string, RegExp][] = [
    ['secrets.patterns', "secrets: { patterns: ['password=(\\S+'] }", /secrets\.patterns\[0\]: invalid regular expression "password=\(\\S\+": .*Unterminated group/],
    ['logs scan.patterns', "phases: [{ id: A, steps: [{ log: 01_logs, do: logs, scan: { patterns: ['[unclosed'] } }] }]", /scan\.patterns\[0\]: invalid regular expression "\[unclosed": .*Unterminated character class/],
    ['logs scan.allow with (?i)', "phases: [{ id: A, steps: [{ log: 01_logs, do: logs, scan: { patterns: [ERROR], allow: ['(?i)(x'] } }] }]", /scan\.allow\[0\]: invalid regular expression "\(\?i\)\(x": .*Unterminated group/],
  ];
  for (const [field, yaml, expected] of cases) {
    it(`rejects an invalid regex in ${field}, naming it and the engine's reason`, () => {
      const { issues } = problems({ 'release-gate.yml': `${LOCAL_STACK}\n${yaml}\n${yaml.startsWith('phases') ? '' : 'phases: [{ id: A, steps: [{ log: 01_up, do: up }] }]\n'}` });
      assert.equal(issues.length, 1, lines(issues));
      assert.match(lines(issues), expected);
    });
  }

  it('accepts valid patterns, including the (?i) prefix of the log scanner', () => {
    const { loaded } = load({
      'release-gate.yml': `${LOCAL_STACK}
secrets: { patterns: ['token=(\\w+)'] }
phases: [{ id: A, steps: [{ log: 01_logs, do: logs, scan: { patterns: ['(?i)error'], allow: ['(?i)expected'] } }] }]
`,
    });
    assert.equal(loaded().config.secrets.patterns.length, 1);
  });
});

describe('every problem at once, with what is allowed', () => {
  it('runs the cross-reference checks even when the schema fails', () => {
    const { config, issues } = problems({
      'release-gate.yml': `
criteria: { boot: Boot }
stack:
  driver: local
  services:
    web: { command: [node, server.js], dependsOn: { db: healthy, cache: started } }
    cache: { command: [node, cache.js] }
    db: { command: [node, db.js] }
phases:
  - id: A
    steps:
      - { log: 01_up, do: up, timeout: soon }
      - { log: 02_ps, do: ps, criterion: bott }
      - { log: 03_exec, do: exec, service: wbe, run: [ls] }
      - { log: 02_ps, do: ps }
`,
    });
    const text = lines(issues);
    assert.equal(issues.length, 6, text);
    assert.match(text, /steps\[0\]\.timeout: expected a duration.*received "soon"/);
    assert.match(text, /steps\[3\]\.log: duplicate log name "02_ps" \(also phases\[0\]\.steps\[1\]\)/);
    assert.match(text, new RegExp(`${escape(config)}:13:\\d+ phases\\[0\\]\\.steps\\[1\\]\\.criterion: unknown criterion "bott"; declared: boot`));
    assert.match(text, /steps\[2\]\.service: unknown service "wbe"; declared: web, cache, db/);
    assert.match(text, /steps\[3\]: duplicate step id "02_ps"/);
    assert.match(text, /stack\.services\.web\.dependsOn\.db: "healthy" needs a healthcheck on service "db"/);
  });

  it('survives a malformed tree and still reports what it can', () => {
    const { issues } = problems({
      'release-gate.yml': `
criteria: [boot]
stack: { driver: local, services: [web] }
phases:
  - 42
  - { id: A, steps: 3 }
  - { id: B, steps: [null, "x", { log: 01_up, do: up, service: nope }] }
`,
    });
    assert.ok(issues.length >= 4, lines(issues));
  });

  it('says which `do` values are allowed', () => {
    const { issues } = problems({ 'release-gate.yml': `${LOCAL_STACK}\nphases: [{ id: A, steps: [{ log: 00_x, do: explode }] }]\n` });
    assert.match(lines(issues), /phases\[0\]\.steps\[0\]\.do: unknown do value \(received "explode"\); allowed: down, build, up, ps, wait-http, stability, resources, exec, host, scenario, restore-drill, logs, images, upgrade, shutdown, summary$/);
  });

  it('refuses a step that stops the stack (shutdown) in a main phase, naming the phase flags that allow it', () => {
    const { issues } = problems({ 'release-gate.yml': `${LOCAL_STACK}\ncriteria: { shutdown: Shutdown }\nphases: [{ id: S, steps: [{ log: 20_shutdown, do: shutdown, criterion: shutdown }] }]\n` });
    assert.equal(issues.length, 1, lines(issues));
    assert.match(lines(issues), /phases\[0\]\.steps\[0\]\.do: a "shutdown" step stops or replaces the stack's services: put it in a phase with always: true or ifPassed: true, after the log capture/);
  });

  for (const flag of ['always', 'ifPassed']) {
    it(`accepts the shutdown step in a phase with ${flag}: true`, () => {
      const { loaded } = load({ 'release-gate.yml': `${LOCAL_STACK}\ncriteria: { shutdown: Shutdown }\nphases: [{ id: S, ${flag}: true, steps: [{ log: 20_shutdown, do: shutdown, criterion: shutdown }] }]\n` });
      assert.equal(loaded().config.phases[0]?.steps[0]?.do, 'shutdown');
    });
  }

  it("reads a local service's stop signal and grace (default SIGTERM, 10 s) and refuses an unknown signal", () => {
    const stack = (extra: string) => `stack:\n  driver: local\n  services:\n    web: { command: [node, server.js]${extra} }\nphases: [{ id: B, steps: [{ log: 03_ps, do: ps }] }]\n`;
    // The stack's type is the driver kind's own (bound at run time): read the two fields as plain data.
    const web = (text: string) => {
      const services = load({ 'release-gate.yml': text }).loaded().config.stack['services'] as Record<string, LocalServiceConfig>;
      return [services['web']?.stopSignal, services['web']?.stopGracePeriod];
    };
    assert.deepEqual(web(stack('')), ['SIGTERM', 10_000]);
    assert.deepEqual(web(stack(', stopSignal: SIGINT, stopGracePeriod: 5s')), ['SIGINT', 5000]);
    assert.match(lines(problems({ 'release-gate.yml': stack(', stopSignal: TERMINATE') }).issues), /stack\.services\.web\.stopSignal: expected a signal name such as SIGTERM, SIGINT or SIGQUIT/);
  });

  const unions: [string, string, RegExp][] = [
    ['a command of the wrong type', '{ log: 01_x, do: exec, service: web, run: 42 }', /run: expected a command: a list of strings .* or a string run by sh -c \(received 42\)/],
    ['an argv with a number', '{ log: 01_x, do: exec, service: web, run: [echo, 3] }', /run: expected a command: .*\(received \["echo",3\]\)/],
    ['a duration of the wrong type', '{ log: 01_x, do: up, timeout: [1] }', /timeout: expected a duration such as 500ms.*\(received \[1\]\)/],
    ['a status of the wrong type', '{ log: 01_x, do: wait-http, url: /, status: ok }', /status: expected a number or a list \(received "ok"\)/],
  ];
  for (const [name, step, expected] of unions) {
    it(`says what was received and what is allowed for ${name}`, () => {
      const { issues } = problems({ 'release-gate.yml': `${LOCAL_STACK}\nphases: [{ id: A, steps: [${step}] }]\n` });
      assert.equal(issues.length, 1, lines(issues));
      assert.match(lines(issues), expected);
    });
  }
});

describe('korrigo preset', () => {
  it('checks pending migrations with makemigrations --check --dry-run, not a migrate --check that cannot fail', () => {
    const config = loadConfig({ preset: 'korrigo', cwd: tmpdir(), env: GENERATED }).config;
    const step = config.phases.flatMap((p) => p.steps).find((s) => s.id === '07_migrate_check');
    assert.equal(step?.title, 'No pending migrations');
    const run = step && 'run' in step ? (step.run as string[]) : [];
    assert.deepEqual(run.slice(0, 2), ['sh', '-c']);
    assert.match(run[2] ?? '', /python manage\.py makemigrations --check --dry-run/);
  });

  it("keeps korrigo-lite's own migrate --check override", () => {
    const config = loadConfig({ configPath: KORRIGO_LITE, cwd: ROOT, env: GENERATED }).config;
    const step = config.phases.flatMap((p) => p.steps).find((s) => s.id === '07_migrate_check');
    assert.deepEqual(step && 'run' in step ? step.run : undefined, ['node', 'build/cli.js', 'migrate', '--check']);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('a file parsed once is parsed again when its text changed', () => {
  it('loads the new value after the file was edited between two loads (the parse cache is keyed by the text)', () => {
    const text = (name: string) => `name: ${name}\nbaseUrl: http://127.0.0.1:1\n${LOCAL_STACK}\nphases: [{ id: A, steps: [{ log: 00_down, do: down }] }]\n`;
    const { config, loaded } = load({ 'release-gate.yml': text('first') });
    assert.equal(loaded().config.name, 'first');
    writeFileSync(config, text('second'));
    assert.equal(loaded().config.name, 'second');
    // And a syntax error found in the new text, not hidden by the earlier good parse.
    writeFileSync(config, 'name: [unclosed\n');
    assert.throws(loaded, (err: unknown) => err instanceof RgConfigError && /YAML syntax/.test(lines(err.issues)));
  });
});

describe('a file read back from the parse cache loads as when it is parsed', () => {
  // Each load below is of a new path, so the tree comes from the disk cache (RELEASE_GATE_CACHE,
  // set by scripts/run-tests.mjs to a folder of the run), not from this process's memory.
  // The error case relies on it too: its second load finds the tree, not the syntax.
  const bad = `name: cached\nbaseUrl: http://127.0.0.1:1\n${LOCAL_STACK}\nphases:\n  - id: A\n    steps:\n      - { log: 00_up, do: up, timeout: soon }\n`;

  it('stores the tree on a first load and reads it back on the next (a tampered entry shows)', () => {
    assert.ok(process.env['RELEASE_GATE_CACHE'] && process.env['RELEASE_GATE_CACHE'] !== 'off', 'run through npm test: RELEASE_GATE_CACHE names a folder');
    // A text no other test file loads: they share the run's cache folder, concurrently.
    const sample = `${readFileSync(KORRIGO_LITE, 'utf8')}\n# ${process.pid}-${Date.now()}\n`;
    const first = writeFiles({ 'release-gate.yml': sample });
    const parsed = loadConfig({ configPath: first.config, cwd: first.dir, env: GENERATED });
    const cache = ParseCache.forEnvironment(process.env, YAML_VERSION);
    assert.deepEqual(cache.get(sample), parseYaml(sample));
    cache.put(sample, { ...(parseYaml(sample) as object), name: 'read back from the cache' });
    const again = writeFiles({ 'release-gate.yml': sample });
    const cached = loadConfig({ configPath: again.config, cwd: again.dir, env: GENERATED });
    assert.equal(cached.config.name, 'read back from the cache');
    assert.deepEqual({ ...cached.config, name: parsed.config.name }, parsed.config);
  });

  it('locates an issue at the same file:line:col when the tree is read back', () => {
    const one = problems({ 'release-gate.yml': bad });
    const two = problems({ 'release-gate.yml': bad });
    const at = (r: { config: string; issues: ConfigIssue[] }) => lines(r.issues).replaceAll(r.config, 'FILE');
    const row = bad.split('\n').findIndex((l) => l.includes('timeout: soon'));
    const col = (bad.split('\n')[row] as string).indexOf('soon') + 1;
    assert.match(at(two), new RegExp(`^FILE:${row + 1}:${col} phases\\[0\\]\\.steps\\[0\\]\\.timeout: expected a duration`, 'm'));
    assert.equal(at(two), at(one));
  });

  it('never stores a file with a syntax error or a repeated key', () => {
    const cache = ParseCache.forEnvironment(process.env, YAML_VERSION);
    for (const text of ['name: [unclosed\n', 'name: a\nname: b\n']) {
      problems({ 'release-gate.yml': text });
      assert.equal(cache.get(text), undefined, text);
    }
  });
});

describe('durations are read once, at load', () => {
  it('gives the steps milliseconds, keeping the text a message shows as written', () => {
    const { loaded } = load({
      'release-gate.yml': `${LOCAL_STACK}
phases:
  - id: B
    steps:
      - { log: 04_wait, do: wait-http, url: /health, timeout: 90s }
      - { log: "06_stability_{window}s", do: stability, window: 3m }
      - { log: 07_wait, do: wait-http, url: /ready, interval: 2 }
`,
    });
    const [wait, stability, ready] = loaded().config.phases[0]?.steps ?? [];
    assert.deepEqual([wait?.timeout, wait?.timeoutMs, wait?.['interval']], ['90s', 90_000, 100]);
    assert.deepEqual(stability?.['window'], { text: '3m', ms: 180_000 });
    assert.deepEqual([ready?.timeout, ready?.timeoutMs, ready?.['interval']], [undefined, undefined, 2000]);
  });
});
