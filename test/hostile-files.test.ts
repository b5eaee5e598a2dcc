import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runHostileCase, smallLocalConfig, type HostileCase, type HostileRun, type Sandbox } from './hostile-harness.js';
import { freePort, runCli, tempDir } from './helpers.js';

/*
 * Hostile files (issue 23, point 6): every file the gate reads is checked before it is opened.
 * Each case: exit 2, the file named, refused within seconds (a FIFO would block forever, /dev/zero
 * would fill memory), nothing outside the log dir changed, the file's content never printed.
 */

/** Text planted in files that are not the gate's: it must never appear in any output. */
const PLANTED = 'PLANTED-CONTENT-7f3a9';

/** Refused fast: the CLI starts in ~0.3 s; a hang is killed at timeoutMs and fails the exit code. */
const quick = (run: HostileRun) => assert.ok(run.wallMs < 5000, `refused in ${run.wallMs} ms`);

const fifo = (path: string): string => {
  execFileSync('mkfifo', [path]);
  return path;
};

/** A config whose `extends` names target (made by make), with the small local gate below it. */
function extendsCase(name: string, make: (s: Sandbox) => string, names: HostileCase['names'] = []): HostileCase {
  let target = '';
  return {
    name: `extends: ${name} is refused, naming the file, never printing it`,
    setup(s) {
      target = make(s);
      s.write('release-gate.yml', smallLocalConfig({ port: 1, top: `extends: ${JSON.stringify(target)}` }));
      return { args: ['run', '--config', 'release-gate.yml'] };
    },
    code: 2,
    names: [() => target, ...names],
    secrets: [PLANTED],
    timeoutMs: 10_000,
    after: quick,
  };
}

function configCase(name: string, make: (s: Sandbox) => string, reason: RegExp): HostileCase {
  let target = '';
  return {
    name: `--config ${name} is refused at once`,
    setup(s) {
      target = make(s);
      return { args: ['run', '--config', target] };
    },
    code: 2,
    names: [() => target, reason],
    timeoutMs: 10_000,
    after: quick,
  };
}

/** The log dir of a real small run, copied per case (the harness hashes it as "outside"). */
let golden = '';

function runCopy(s: Sandbox, name: string): string {
  const dir = join(s.root, 'runs', name);
  mkdirSync(join(dir, '..'), { recursive: true });
  cpSync(golden, dir, { recursive: true });
  return dir;
}

function evidenceCase(name: string, args: (s: Sandbox) => { args: string[]; named: string }, reason: RegExp): HostileCase {
  let named = '';
  return {
    name,
    setup(s) {
      const made = args(s);
      named = made.named;
      return { args: made.args };
    },
    code: 2,
    names: [() => named, reason],
    secrets: [PLANTED],
    timeoutMs: 10_000,
    after: quick,
  };
}

const cases: HostileCase[] = [
  extendsCase('/dev/zero', () => '/dev/zero', [/character device/]),
  extendsCase('a FIFO', (s) => fifo(join(s.outside, 'pipe.yml')), [/FIFO/]),
  extendsCase('a folder', (s) => s.outside, [/is a folder/]),
  extendsCase('/etc/passwd', () => '/etc/passwd', [/must be a YAML mapping|not a release-gate config|not a YAML config/]),
  extendsCase('another tool\'s JSON file', (s) => {
    const file = join(s.outside, 'package.json');
    writeFileSync(file, JSON.stringify({ name: 'x', version: '1.0.0', token: PLANTED, scripts: { build: PLANTED } }));
    return file;
  }, [/not a release-gate config/]),
  extendsCase('a YAML file with a syntax error', (s) => {
    const file = join(s.outside, 'broken.yml');
    writeFileSync(file, `name: ok\nsecret: "${PLANTED}\n  - [${PLANTED}: }\n`);
    return file;
  }, [/broken\.yml:\d+:\d+: not a YAML config/]),
  extendsCase('a binary file', (s) => {
    const file = join(s.outside, 'blob.yml');
    writeFileSync(file, Buffer.concat([Buffer.from([0, 1, 2, 255, 254, 0x1b]), Buffer.from(`\n${PLANTED}: [\n`)]));
    return file;
  }),
  extendsCase('a 20 MB file', (s) => {
    const file = join(s.outside, 'huge.yml');
    writeFileSync(file, `${PLANTED}: ${'x'.repeat(20 * 1024 * 1024)}\n`);
    return file;
  }, [/at most 4 MiB/]),
  extendsCase('a symlink to a FIFO', (s) => {
    const link = join(s.outside, 'link.yml');
    symlinkSync(fifo(join(s.outside, 'pipe')), link);
    return link;
  }, [/FIFO/]),
  extendsCase('YAML nested 10,000 levels deep', (s) => {
    const file = join(s.outside, 'deep.yml');
    writeFileSync(file, `name: ${'['.repeat(10_000)}\n`);
    return file;
  }, [/deep\.yml:1:\d+: YAML nested deeper than 64 levels/]),
  extendsCase('an alias bomb', (s) => {
    const file = join(s.outside, 'bomb.yml');
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    writeFileSync(file, `${levels.join('\n')}\n`);
    return file;
  }, [/aliases expand too much/]),
  configCase('a FIFO', (s) => fifo(join(s.project, 'release-gate.yml')), /FIFO/),
  configCase('/dev/zero', () => '/dev/zero', /character device/),
  configCase('a folder', (s) => s.project, /is a folder/),
  evidenceCase('verify: manifest.json as a FIFO is refused, not waited on', (s) => {
    const dir = runCopy(s, 'a');
    rmSync(join(dir, 'manifest.json'));
    return { args: ['verify', dir], named: fifo(join(dir, 'manifest.json')) };
  }, /FIFO/),
  evidenceCase('verify: manifest.json as a symlink to a file outside is not followed, nor printed', (s) => {
    const dir = runCopy(s, 'a');
    const outsideFile = join(s.outside, 'secret.json');
    writeFileSync(outsideFile, `${PLANTED} {"schema": "nope"}`);
    rmSync(join(dir, 'manifest.json'));
    symlinkSync(outsideFile, join(dir, 'manifest.json'));
    return { args: ['verify', dir], named: join(dir, 'manifest.json') };
  }, /outside .*only files inside it are read/),
  evidenceCase('verify: an artifact replaced by a FIFO is refused, not waited on', (s) => {
    const dir = runCopy(s, 'a');
    rmSync(join(dir, '02_ps.log'));
    return { args: ['verify', dir], named: fifo(join(dir, '02_ps.log')) };
  }, /FIFO/),
  evidenceCase('compare: another tool\'s summary.json is named as not a release-gate summary', (s) => {
    const a = runCopy(s, 'a');
    const b = runCopy(s, 'b');
    writeFileSync(join(b, 'summary.json'), JSON.stringify({ tool: 'jest', numPassedTests: 3, secret: PLANTED }));
    return { args: ['compare', a, b], named: join(b, 'summary.json') };
  }, /not a release-gate summary \(tool: /),
  evidenceCase('compare: a summary.json with a malformed resources figure is named, not a crash', (s) => {
    const a = runCopy(s, 'a');
    const b = runCopy(s, 'b');
    const summary = JSON.parse(readFileSync(join(b, 'summary.json'), 'utf8')) as { steps: Record<string, unknown>[] };
    (summary.steps[0] as Record<string, unknown>)['resources'] = [{ service: PLANTED }];
    writeFileSync(join(b, 'summary.json'), JSON.stringify(summary));
    return { args: ['compare', a, b], named: join(b, 'summary.json') };
  }, /not a release-gate summary \(steps\.0\.resources\.0\.memory: /),
  evidenceCase('compare: a JSON array as summary.json is named as not a release-gate summary', (s) => {
    const a = runCopy(s, 'a');
    const b = runCopy(s, 'b');
    writeFileSync(join(a, 'summary.json'), JSON.stringify([PLANTED, 1, 2]));
    return { args: ['compare', a, b], named: join(a, 'summary.json') };
  }, /not a release-gate summary/),
  evidenceCase('compare: garbage as summary.json is named as not JSON, without quoting it', (s) => {
    const a = runCopy(s, 'a');
    const b = runCopy(s, 'b');
    writeFileSync(join(b, 'summary.json'), `${PLANTED} garbage {`);
    return { args: ['compare', a, b], named: join(b, 'summary.json') };
  }, /not valid JSON/),
  evidenceCase('compare: a FIFO as summary.json is refused, not waited on', (s) => {
    const a = runCopy(s, 'a');
    const b = runCopy(s, 'b');
    rmSync(join(b, 'summary.json'));
    return { args: ['compare', a, b], named: fifo(join(b, 'summary.json')) };
  }, /FIFO/),
  evidenceCase('compare: a summary.json symlinked to a file outside is not followed', (s) => {
    const a = runCopy(s, 'a');
    const b = runCopy(s, 'b');
    const outsideFile = join(s.outside, 'summary.json');
    writeFileSync(outsideFile, PLANTED);
    rmSync(join(b, 'summary.json'));
    symlinkSync(outsideFile, join(b, 'summary.json'));
    return { args: ['compare', a, b], named: join(b, 'summary.json') };
  }, /outside/),
];

describe('hostile files: checked before they are read (exit 2, named, at once)', () => {
  let scratch = '';
  before(async () => {
    // One real small run: verify and compare cases attack copies of its log dir.
    scratch = tempDir('rg-hostile-files-');
    writeFileSync(join(scratch, 'release-gate.yml'), smallLocalConfig({ port: await freePort() }));
    golden = join(scratch, 'logs');
    const run = await runCli(['run', '--config', 'release-gate.yml', '--log-dir', golden], { cwd: scratch });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const intact = await runCli(['verify', golden]);
    assert.equal(intact.code, 0, intact.stdout + intact.stderr);
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  for (const c of cases) it(c.name, async () => void (await runHostileCase(c)));
});
