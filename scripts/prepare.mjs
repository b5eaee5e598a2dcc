#!/usr/bin/env node
// `prepare` (npm ci, npm install, and a git-URL install): the build, with its tools.
//
// `npm install -g <git URL>` runs this in a temporary clone where npm was meant to install the
// devDependencies first, but does not (npm/cli#8440: the nested `npm install --include=dev`
// inherits the global flag and installs nothing there), so `tsc` was not found (exit 127).
// When TypeScript or esbuild is missing, this installs the locked devDependencies into this
// folder first (`--global=false`, and `--ignore-scripts` so that this script does not run
// again), then builds with the tools' own files rather than with whatever `tsc` is on PATH.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const esbuild = join(root, 'node_modules', 'esbuild', 'package.json');

function step(what, cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (r.error) throw new Error(`prepare: ${what}: ${r.error.message}`, { cause: r.error });
  if (r.status !== 0) {
    process.stderr.write(`prepare: ${what} (\`${[cmd, ...args].join(' ')}\` in ${root}) exited ${r.status ?? r.signal}\n`);
    process.exit(r.status ?? 1);
  }
}

if (!existsSync(tsc) || !existsSync(esbuild)) {
  process.stderr.write('prepare: TypeScript or esbuild missing (a git-URL install, npm/cli#8440): installing the locked devDependencies here to build\n');
  // npm's own CLI when npm runs this script (npm_execpath), else the `npm` on PATH.
  const npmCli = process.env.npm_execpath;
  const [cmd, pre] = npmCli && npmCli.endsWith('.js') ? [process.execPath, [npmCli]] : ['npm', []];
  // The outer global install's settings would steer this one into its prefix, without dev.
  const outer = /^npm_config_(global|location|prefix|omit|include|production|only|dry_run|package_lock_only|save.*)$/i;
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !outer.test(k)));
  // The workspace (examples/korrigo-lite) is part of `tsc -b`, so it is installed too.
  step('installing the devDependencies', cmd, [...pre, 'install', '--global=false', '--include=dev', '--ignore-scripts', '--no-save', '--no-audit', '--no-fund'], env);
}
step('tsc -b', process.execPath, [tsc, '-b']);
step('bundle', process.execPath, [join(root, 'scripts', 'bundle.mjs')]);
step('schema', process.execPath, [join(root, 'scripts', 'write-schema.mjs')]);
