import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort } from './helpers.js';
import { runHostileCase, smallLocalConfig, type HostileCase, type Sandbox } from './hostile-harness.js';

/*
 * Hostile inputs, "unset variables" and "values are data, never code" (issue 23, points 2
 * and 3). An unset `${VAR}` once became "" and `dataDirs: ["${DATA_DIR}"]` removed the whole
 * project; a branch name holding `$(touch x)` spliced into a string command ran. Each case
 * runs the real CLI in a sandbox (test/hostile-harness.ts): exit code, the place named,
 * nothing outside the log dir changed, no process left.
 */

/** A config with no port of its own: for cases refused at load (nothing may start). */
const refusedConfig = (parts: { top?: string; service?: string; steps?: string }) => smallLocalConfig({ port: 1, ...parts });
const PWNED = '$(touch ../outside/pwned-dollar)';
const BACKTICKS = '`touch ../outside/pwned-backtick`';

/** A case refused at load, checked with both `plan` and `run` (the two must agree). */
function refused(name: string, yaml: string, names: (string | RegExp)[], env: Record<string, string> = {}): HostileCase[] {
  return (['plan', 'run'] as const).map((command) => ({
    name: `${command}: ${name}`,
    setup: (sandbox: Sandbox) => ({ args: [command, '--config', sandbox.write('release-gate.yml', yaml)], env }),
    code: 2,
    names,
    after: (_run: unknown, sandbox: Sandbox) => assert.deepEqual(readdirSync(sandbox.root).sort(), ['home', 'outside', 'project'], 'no log dir created for a refused config'),
  }));
}

const unsetCases: HostileCase[] = [
  ...refused(
    'an unset ${DATA_DIR} in dataDirs (it once resolved to the project root, removed)',
    refusedConfig({ service: '      dataDirs: ["${RG_HOSTILE_DATA_DIR}"]' }),
    [/release-gate\.yml:\d+:\d+ stack\.services\.web\.dataDirs\[0\]: environment variable RG_HOSTILE_DATA_DIR is not set/, '${RG_HOSTILE_DATA_DIR:-}'],
  ),
  ...refused(
    'an unset variable in build.outputs',
    refusedConfig({ service: '      build: { command: [node, -v], outputs: ["${RG_HOSTILE_OUT}/dist"] }' }),
    [/stack\.services\.web\.build\.outputs\[0\]: environment variable RG_HOSTILE_OUT is not set/],
  ),
  ...refused(
    'every unset variable listed at once, each with its place',
    refusedConfig({ top: 'env: { A: "${RG_UNSET_A}", B: "x-${RG_UNSET_B}" }\nlogDir: ${RG_UNSET_C}' }),
    [/env\.A: environment variable RG_UNSET_A is not set/, /env\.B: environment variable RG_UNSET_B is not set/, /logDir: environment variable RG_UNSET_C is not set/],
  ),
  ...refused(
    'an unset variable inside a default that is used',
    refusedConfig({ top: 'env: { A: "${RG_UNSET_A:-${RG_UNSET_INNER}}" }' }),
    [/env\.A: environment variable RG_UNSET_INNER is not set/],
  ),
  ...refused('a required variable that is empty', refusedConfig({ top: 'env: { A: "${RG_EMPTY:?give a token}" }' }), [/env\.A: environment variable RG_EMPTY is required: give a token/], { RG_EMPTY: '' }),
];

const codeCases: HostileCase[] = [
  ...refused(
    'a ${VAR} holding $(…) in an exec string command',
    refusedConfig({ steps: '      - { log: 03_deploy, do: exec, service: web, run: \'echo "deploying ${BRANCH}"\' }' }),
    [/phases\[1\]\.steps\[1\]\.run: \$\{…\} in a command: this string command runs through sh -c/, 'env: { BRANCH: "${BRANCH}" }', '"$$BRANCH"'],
    { BRANCH: PWNED },
  ),
  ...refused(
    'a ${VAR} holding backticks in a host string command',
    refusedConfig({ steps: '      - { log: 03_deploy, do: host, run: "echo ${BRANCH}" }' }),
    [/phases\[1\]\.steps\[1\]\.run: \$\{…\} in a command/],
    { BRANCH: BACKTICKS },
  ),
  ...refused(
    'a ${VAR:-default} in a string command (a default does not make it data)',
    refusedConfig({ steps: '      - { log: 03_deploy, do: host, run: "echo ${BRANCH:-main}" }' }),
    [/phases\[1\]\.steps\[1\]\.run: \$\{…\} in a command/],
  ),
  ...refused(
    'a ${VAR} in the script of an argv sh -c',
    refusedConfig({ steps: '      - { log: 03_deploy, do: host, run: [sh, -c, "echo ${BRANCH}"] }' }),
    [/phases\[1\]\.steps\[1\]\.run\[2\]: \$\{…\} in a command: this argument is a script/],
    { BRANCH: PWNED },
  ),
  ...refused(
    'a ${VAR} in the script of an argv bash -ec',
    refusedConfig({ steps: '      - { log: 03_deploy, do: host, run: [/bin/bash, -ec, "echo ${BRANCH}"] }' }),
    [/phases\[1\]\.steps\[1\]\.run\[2\]: \$\{…\} in a command/],
    { BRANCH: PWNED },
  ),
  ...refused(
    'a ${VAR} in node -e code of a build command',
    refusedConfig({ service: '      env: {}\n      build: { command: [node, -e, "console.log(\'${BRANCH}\')"] }' }),
    [/stack\.services\.web\.build\.command\[2\]: \$\{…\} in a command: this argument is a script/, 'process.env.BRANCH'],
    { BRANCH: "'); require('fs').writeFileSync('x', '" },
  ),
  ...refused(
    'a ${VAR} in a local service string command',
    refusedConfig({ service: '      build: { command: "make ${TARGET}" }' }),
    [/stack\.services\.web\.build\.command: \$\{…\} in a command/],
    { TARGET: PWNED },
  ),
  ...refused(
    'a ${VAR} in an idempotence probe string',
    refusedConfig({ steps: '      - { log: 03_seed, do: exec, service: web, run: [node, -v], idempotence: { probe: "count ${TABLE}" } }' }),
    [/phases\[1\]\.steps\[1\]\.idempotence\.probe: \$\{…\} in a command/],
    { TABLE: 'x; rm -rf /' },
  ),
  ...refused(
    'a {{capture}} from the app inside a scenario exec script',
    refusedConfig({ steps: '      - log: 03_e2e\n        do: scenario\n        scenario:\n          each:\n            - { name: reset, exec: { service: web, run: [sh, -c, "reset {{copy}}"] } }' }),
    [/phases\[1\]\.steps\[1\]\.scenario\.each\[0\]\.exec\.run\[2\]: a \{\{…\}\} template inside a script/],
  ),
];

/** Cases that run a whole small gate: the safe forms work, and a hostile value stays data. */
async function runningCases(): Promise<HostileCase[]> {
  const port = await freePort();
  const logOf = (sandbox: Sandbox, name: string) => readFileSync(join(sandbox.logDir, `${name}.log`), 'utf8');
  return [
    {
      name: 'run: a hostile value read as "$$VAR" from env in a string command is printed, not run',
      setup: (sandbox) => ({
        args: ['run', '--config', sandbox.write('release-gate.yml', smallLocalConfig({ port, steps: '      - { log: 03_deploy, do: host, env: { BRANCH: "${BRANCH}" }, run: \'echo "deploying $$BRANCH"\' }' }))],
        env: { BRANCH: `${PWNED} ${BACKTICKS}` },
      }),
      code: 0,
      names: ['GATE PASSED'],
      after: (_run, sandbox) => assert.match(logOf(sandbox, '03_deploy'), /deploying \$\(touch \.\.\/outside\/pwned-dollar\) `touch \.\.\/outside\/pwned-backtick`/),
    },
    {
      name: 'run: a hostile value in an argv list is one argument',
      setup: (sandbox) => ({
        args: [
          'run',
          '--config',
          sandbox.write('release-gate.yml', smallLocalConfig({ port, steps: '      - { log: 03_args, do: host, run: [node, -e, "console.log(JSON.stringify(process.argv.slice(1)))", "${BRANCH}"] }' })),
        ],
        env: { BRANCH: `a b; ${PWNED}` },
      }),
      code: 0,
      after: (_run, sandbox) => assert.ok(logOf(sandbox, '03_args').includes(JSON.stringify([`a b; ${PWNED}`])), logOf(sandbox, '03_args')),
    },
    {
      name: 'run: ${VAR:-} is an explicitly empty value, and the gate runs',
      setup: (sandbox) => ({
        args: ['run', '--config', sandbox.write('release-gate.yml', smallLocalConfig({ port, top: 'env: { OPTIONAL: "${RG_SURELY_UNSET:-}" }' }))],
      }),
      code: 0,
      names: ['GATE PASSED'],
    },
  ];
}

describe('hostile input: an unset ${VAR} is an error, never an empty string', () => {
  for (const c of unsetCases) it(c.name, async () => void (await runHostileCase(c)));
});

describe('hostile input: an interpolated value never reaches a shell as code', () => {
  for (const c of codeCases) it(c.name, async () => void (await runHostileCase(c)));
});

describe('hostile input: the safe forms run, and hostile values stay data', async () => {
  for (const c of await runningCases()) it(c.name, async () => void (await runHostileCase(c)));
});
