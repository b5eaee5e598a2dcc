import * as assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli, tempDir, writeConfig } from './helpers.js';

/*
 * Quick checks read the latest run only: each run points `release_gate_latest`, beside its log
 * dir, at itself (README "Quick checks", docs/evidence.md). Never at the cost of something that
 * is not our own link.
 */
const LINK = 'release_gate_latest';

const CONFIG = `
name: latest-link
stack:
  driver: local
  services:
    idle: { command: [sh, -c, "exec sleep 600"] }
criteria: { ran: Ran }
phases:
  - id: A
    steps:
      - { log: 01_up, do: up }
      - { log: 02_host, do: host, run: [sh, -c, "echo ran"], criterion: ran }
  - id: Z
    always: true
    steps:
      - { log: 03_summary, do: summary }
`;

const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A project folder (the config) and, apart from it, a folder of runs (the log dirs' parent). */
function place() {
  const top = tempDir('rg-latest-');
  made.push(top);
  const project = join(top, 'project');
  const runs = join(top, 'runs');
  mkdirSync(project);
  mkdirSync(runs);
  return { top, project, runs, config: writeConfig(project, CONFIG) };
}

async function gate(config: string, cwd: string, logDir: string) {
  const run = await runCli(['run', '--config', config], { cwd, env: { LOG_DIR: logDir } });
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  return run;
}

describe('the latest link beside the runs', () => {
  it('points release_gate_latest at the second of two runs, by its bare name, and says so', async () => {
    const p = place();
    const first = await gate(p.config, p.project, join(p.runs, 'run-1'));
    assert.equal(readlinkSync(join(p.runs, LINK)), 'run-1');
    assert.match(first.stdout, new RegExp(`^latest: ${join(p.runs, LINK)} → run-1$`, 'm'));
    const second = await gate(p.config, p.project, join(p.runs, 'run-2'));
    assert.equal(readlinkSync(join(p.runs, LINK)), 'run-2');
    assert.match(second.stdout, new RegExp(`^latest: ${join(p.runs, LINK)} → run-2$`, 'm'));
    // Read through the link, the summary is the second run's, and the first run is untouched.
    const summary = readFileSync(join(p.runs, LINK, '03_summary.log'), 'utf8');
    assert.equal(summary, readFileSync(join(p.runs, 'run-2', '03_summary.log'), 'utf8'));
    assert.ok(existsSync(join(p.runs, 'run-1', 'summary.json')));
    // The link is a log dir for the evidence commands too (docs/evidence.md).
    const verify = await runCli(['verify', join(p.runs, LINK)], { cwd: p.project });
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /INTACT/);
    // No temporary link left behind by the atomic replacement.
    assert.deepEqual(readdirSync(p.runs).sort(), ['release_gate_latest', 'run-1', 'run-2']);
  });

  const notOurs: { name: string; make(link: string, runs: string): void; why: RegExp; check(link: string): void }[] = [
    {
      name: 'a folder',
      make: (link) => {
        mkdirSync(link);
        writeFileSync(join(link, 'keep.txt'), 'mine\n');
      },
      why: /it is a folder, not a link release-gate made; left alone/,
      check: (link) => assert.equal(readFileSync(join(link, 'keep.txt'), 'utf8'), 'mine\n'),
    },
    {
      name: 'a regular file',
      make: (link) => writeFileSync(link, 'mine\n'),
      why: /it is a file, not a link release-gate made; left alone/,
      check: (link) => assert.equal(readFileSync(link, 'utf8'), 'mine\n'),
    },
    {
      name: 'a link to a path, not a sibling run',
      make: (link, runs) => symlinkSync(join(runs, '..', 'project'), link),
      why: /it is a link to .*project, not to a run beside it/,
      check: (link) => assert.match(readlinkSync(link), /project$/),
    },
  ];
  for (const c of notOurs) {
    it(`leaves ${c.name} named release_gate_latest alone, with a note, and the gate still passes`, async () => {
      const p = place();
      const link = join(p.runs, LINK);
      c.make(link, p.runs);
      const run = await gate(p.config, p.project, join(p.runs, 'run-1'));
      assert.match(run.stdout, new RegExp(`^latest: ${link} not updated: `, 'm'));
      assert.match(run.stdout, c.why);
      c.check(link);
      assert.ok(lstatSync(link).isSymbolicLink() === (c.name.startsWith('a link')));
    });
  }

  it('writes no link into the project when the log dir is inside it', async () => {
    const p = place();
    const run = await gate(p.config, p.project, join(p.project, 'gate-logs'));
    assert.deepEqual(readdirSync(p.project).sort(), ['gate-logs', 'release-gate.yml']);
    assert.doesNotMatch(run.stdout, /^latest: /m);
  });
});
