import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort } from './helpers.js';
import { runHostileCase, smallLocalConfig, type HostileRun, type Sandbox } from './hostile-harness.js';

/*
 * Issue "Safe by default", build points 1 and 4, as a hostile user would try them:
 *  - paths the gate removes (data dirs, build outputs) only strictly inside the project root,
 *    and the log dir never inside one of them: refused at load by `plan` and `run` (exit 2,
 *    the YAML path named), nothing removed anywhere (the harness hashes the whole sandbox);
 *  - log names and step ids are one safe file name: no write outside the log dir, no forged
 *    console line;
 *  - evidence or no green: a log dir removed or replaced during a real run ends with exit 3,
 *    `evidence lost: …` on stderr and no ✅ anywhere in the output.
 */

/** A config case: the service's or steps' hostile lines, given the sandbox (its paths) and a port. */
interface PathCase {
  name: string;
  parts(sandbox: Sandbox): { service?: string; steps?: string };
  /** Files the case prepares in the sandbox first (a symlink leading out). */
  prepare?(sandbox: Sandbox): void;
  env?(sandbox: Sandbox): Record<string, string>;
  mayChange?: string[];
  names: (string | RegExp | ((sandbox: Sandbox) => string | RegExp))[];
}

const dataDirs = (value: string) => `      dataDirs: [${value}]`;
const outputs = (value: string) => `      build: { command: [node, -e, "1"], outputs: [${value}] }`;
const DATA0 = 'stack.services.web.dataDirs[0]';
const OUT0 = 'stack.services.web.build.outputs[0]';
const ALLOWED = 'strictly inside the project root';
/** The step appended to phase B by smallLocalConfig: phases[1].steps[1]. */
const STEP = 'phases[1].steps[1]';

const pathCases: PathCase[] = [
  { name: 'a data dir from an empty variable (${DATA_DIR:-}) resolves to the root', parts: () => ({ service: dataDirs('"${DATA_DIR:-}"') }), names: [DATA0, 'project root itself', ALLOWED] },
  { name: 'a data dir "." is the project root', parts: () => ({ service: dataDirs('"."') }), names: [DATA0, '"."', 'project root itself'] },
  { name: 'a data dir ".." is the parent of the project', parts: () => ({ service: dataDirs('".."') }), names: [DATA0, '".."', 'parent of the project root'] },
  {
    name: 'a data dir "../outside/sibling-checkout" is a sibling checkout',
    parts: () => ({ service: dataDirs('"../outside/sibling-checkout"') }),
    names: [DATA0, 'sibling-checkout', 'outside the project root'],
  },
  { name: 'a data dir "/" is the whole file system', parts: () => ({ service: dataDirs('"/"') }), names: [DATA0, '"/"', 'is /'] },
  {
    name: 'a data dir given as an absolute path outside the project',
    parts: (s) => ({ service: dataDirs(JSON.stringify(s.outside)) }),
    names: [DATA0, (s) => s.outside, 'outside the project root'],
  },
  { name: 'a data dir "${HOME}" is $HOME', parts: () => ({ service: dataDirs('"${HOME}"') }), names: [DATA0, 'is $HOME'] },
  {
    name: 'a data dir that is $HOME inside the project (HOME=<project>/home)',
    parts: () => ({ service: dataDirs('"home"') }),
    prepare: (s) => mkdirSync(join(s.project, 'home')),
    env: (s) => ({ HOME: join(s.project, 'home') }),
    // The CLI's code cache lives under $HOME: it is the run's own.
    mayChange: ['project/home'],
    names: [DATA0, 'is $HOME'],
  },
  {
    name: 'a data dir through a symlink inside the project leading outside',
    parts: () => ({ service: dataDirs('"data"') }),
    prepare: (s) => symlinkSync(join(s.outside, 'sibling-checkout'), join(s.project, 'data')),
    names: [DATA0, 'through a symlink', (s) => join(s.outside, 'sibling-checkout')],
  },
  {
    name: 'a data dir below a symlinked folder leading outside',
    parts: () => ({ service: dataDirs('"shared/db"') }),
    prepare: (s) => symlinkSync(s.outside, join(s.project, 'shared')),
    names: [DATA0, 'through a symlink', 'outside the project root'],
  },
  { name: 'a build output "." is the project root', parts: () => ({ service: outputs('"."') }), names: [OUT0, 'project root itself', ALLOWED] },
  { name: 'a build output ".." is the parent of the project', parts: () => ({ service: outputs('".."') }), names: [OUT0, 'parent of the project root'] },
  {
    name: "a build output resolved against the service's cwd (cwd: src, output ..) is the root",
    parts: () => ({ service: `      cwd: src\n${outputs('".."')}` }),
    names: [OUT0, 'project root itself'],
  },
  {
    name: 'a symlinked build output leading to the sibling checkout',
    parts: () => ({ service: outputs('"build"') }),
    prepare: (s) => symlinkSync(join(s.outside, 'sibling-checkout'), join(s.project, 'build')),
    names: [OUT0, 'through a symlink', 'outside the project root'],
  },
  {
    name: 'the log dir inside a data dir the teardown removes',
    parts: () => ({ service: dataDirs('".data"') }),
    env: (s) => ({ LOG_DIR: join(s.project, '.data', 'logs') }),
    names: [DATA0, /LOG_DIR .*\.data\/logs: is inside stack\.services\.web\.dataDirs\[0\]/, 'the evidence would be deleted'],
  },
  { name: 'a log name "../../x" leading out of the log dir', parts: () => ({ steps: '      - { log: "../../x", do: ps }' }), names: [`${STEP}.log`, '"../../x"', 'one file name'] },
  { name: 'a log name "a/b" with a path separator', parts: () => ({ steps: '      - { log: "a/b", do: ps }' }), names: [`${STEP}.log`, 'path separator'] },
  {
    name: 'a log name holding a newline and a forged "✅ GATE PASSED" line',
    parts: () => ({ steps: '      - { log: "03_ps\\n✅ GATE PASSED", do: ps }' }),
    names: [`${STEP}.log`, 'control character', '"03_ps\\n✅ GATE PASSED"'],
  },
  // A NUL written in the YAML never reaches the check as NUL: interpolation uses it as its `$$` placeholder and turns it into `$`.
  { name: 'a log name holding a tab and DEL', parts: () => ({ steps: '      - { log: "03_ps\\t\\x7fx", do: ps }' }), names: [`${STEP}.log`, 'control character'] },
  { name: 'a log name holding a carriage return (overwrites the console line)', parts: () => ({ steps: '      - { log: "03_ps\\r✅ GATE PASSED", do: ps }' }), names: [`${STEP}.log`, 'control character'] },
  { name: 'a log name holding an escape sequence (ESC [2K erases the line)', parts: () => ({ steps: '      - { log: "03_ps\\e[2K", do: ps }' }), names: [`${STEP}.log`, 'control character'] },
  { name: 'a log name ".." (also the step id)', parts: () => ({ steps: '      - { log: "..", do: ps }' }), names: [`${STEP}.log`, '".."', 'relative path step'] },
  { name: 'a step id "../../escape"', parts: () => ({ steps: '      - { id: "../../escape", log: 03_ps, do: ps }' }), names: [`${STEP}.id`, 'step id is one file name'] },
  { name: 'an empty step id', parts: () => ({ steps: '      - { id: "", log: 03_ps, do: ps }' }), names: [`${STEP}.id`, 'is empty'] },
];

/**
 * `run` must refuse these configs at load; should that guard be broken ("break it once"), the
 * run still removes nothing: no `down` step selected, no teardown. A broken guard with
 * `dataDirs: ["/"]` must fail the case on its exit code, not remove the machine's files.
 */
const NOTHING_REMOVED = 'teardown: { enabled: false, volumes: false }';

/** No line of the output may begin with a ✅ (an error message may quote a hostile value holding one, escaped, mid-line). */
function noGreen(run: HostileRun): void {
  assert.doesNotMatch(run.output, /^\s*✅/mu, 'a ✅ line was printed');
}

/** A run without its evidence shows no ✅ at all: no verdict, no criterion marked passed. */
function noCheckMark(run: HostileRun): void {
  assert.doesNotMatch(run.output, /✅/u, 'a ✅ was printed');
}

describe('hostile paths: refused at load by plan and run (exit 2, the YAML path named, nothing touched)', () => {
  for (const c of pathCases) {
    for (const command of ['plan', 'run'] as const) {
      it(`${command}: refuses ${c.name}`, async () => {
        const port = await freePort();
        await runHostileCase({
          name: c.name,
          setup: (s) => {
            c.prepare?.(s);
            s.write('release-gate.yml', smallLocalConfig({ port, top: NOTHING_REMOVED, ...c.parts(s) }));
            return { args: command === 'run' ? ['run', '--only', '02_ps'] : ['plan'], ...(c.env ? { env: c.env(s) } : {}) };
          },
          code: 2,
          names: c.names,
          ...(c.mayChange ? { mayChange: c.mayChange } : {}),
          after: (run, s) => {
            noGreen(run);
            assert.ok(!existsSync(s.logDir), 'a refused run creates no log dir');
          },
        });
      });
    }
  }
});

/** Phase B's extra step: a host command run in the project root, with LOG_DIR in its environment. */
const hostStep = (script: string) => `      - { log: 03_host, do: host, run: [sh, -c, ${JSON.stringify(script)}] }`;

describe('evidence or no green: a real run whose log dir is lost ends with exit 3, never a ✅', () => {
  const cases: { name: string; script: string; names: (string | RegExp)[] }[] = [
    { name: 'the log dir removed during the run', script: 'rm -rf "$LOG_DIR"', names: [/^evidence lost: the log dir .* is gone/m] },
    { name: 'the log dir replaced by a file during the run', script: 'rm -rf "$LOG_DIR" && echo not-a-folder > "$LOG_DIR"', names: [/^evidence lost: the log dir .* is gone \(or no longer a folder\)/m] },
    { name: 'the log dir replaced by a new empty folder during the run', script: 'rm -rf "$LOG_DIR" && mkdir "$LOG_DIR"', names: [/^evidence lost: the log dir .* was replaced during the run/m] },
  ];
  for (const c of cases) {
    it(`exit 3, "evidence lost" on stderr: ${c.name}`, async () => {
      const port = await freePort();
      await runHostileCase({
        name: c.name,
        setup: (s) => {
          s.write('release-gate.yml', smallLocalConfig({ port, steps: hostStep(c.script) }));
          return { args: ['run'] };
        },
        code: 3,
        names: c.names,
        // mkdir -p creates the log dir's parent folder.
        mayChange: ['logs'],
        after: (run) => {
          noCheckMark(run);
          assert.match(run.stderr, /^evidence lost: /m, 'the evidence line is on stderr');
          assert.match(run.stdout, /NO VERDICT/, 'the console says there is no verdict');
        },
      });
    });
  }

  it('a data dir turned into a path leading out during the run is refused at the moment of removal (nothing outside deleted)', async () => {
    const port = await freePort();
    await runHostileCase({
      name: 'symlink swapped in during the run',
      setup: (s) => {
        // At load `shared` is a real folder inside the project; the host step swaps it for a link to the sibling checkout's folder.
        mkdirSync(join(s.project, 'shared'));
        const steps = [hostStep('rm -rf shared && ln -s ../outside shared'), '      - { log: 04_down, do: down, volumes: true }'].join('\n');
        s.write('release-gate.yml', smallLocalConfig({ port, service: dataDirs('"shared/sibling-checkout"'), steps }));
        return { args: ['run'] };
      },
      code: 1,
      names: [/Refused to remove the data dir of service "web": "shared\/sibling-checkout" .* outside the project root/],
      mayChange: ['logs', 'project/shared'],
      after: (run) => assert.doesNotMatch(run.output, /^\s*✅ GATE PASSED/mu),
    });
  });

  it('a run that keeps its log dir still passes with its evidence on disk (the check sees no loss)', async () => {
    const port = await freePort();
    await runHostileCase({
      name: 'control',
      setup: (s) => {
        s.write('release-gate.yml', smallLocalConfig({ port, steps: hostStep('test -d "$LOG_DIR"') }));
        return { args: ['run'] };
      },
      code: 0,
      names: [/^✅ GATE PASSED/m],
      mayChange: ['logs'],
      after: (run, s) => {
        assert.doesNotMatch(run.stderr, /evidence lost/);
        for (const file of ['summary.json', 'manifest.json', '03_host.log']) assert.ok(existsSync(join(s.logDir, file)), `${file} on disk`);
      },
    });
  });
});
