#!/usr/bin/env node
// The logic of the GitHub Action (action.yml), kept in a script so that it is testable without
// GitHub: the tests run it with a simulated environment (GITHUB_STEP_SUMMARY, GITHUB_OUTPUT,
// GITHUB_ACTIONS=true) on a real run's log dir. A script rather than a CLI subcommand: the CLI
// stays CI-vendor-neutral, and this file is the only place that knows GitHub's file protocol.
//
//   node scripts/github-action.mjs install [--dry-run]   # installs the action's checkout (action.yml)
//   node scripts/github-action.mjs run       # runs the gate from INPUT_* variables (action.yml)
//   node scripts/github-action.mjs summary DIR
//
// `install`: when the checkout holds built files that match it (dist/bundle/build-stamp.json,
// written by the build: same sources, same bundle), only the production dependencies are
// installed (`npm ci --omit=dev --ignore-scripts`, no build); otherwise `npm ci`, whose
// `prepare` builds. `--dry-run` prints the choice and runs nothing.
//
// `summary` appends the Markdown report (DIR/report.md, else rendered from DIR/summary.json by
// the package's own Markdown reporter) to $GITHUB_STEP_SUMMARY (stdout when unset), writes
// `verdict` to $GITHUB_OUTPUT, and, when GITHUB_ACTIONS=true, prints one `::error` annotation per
// ❌ criterion (a `::warning` for a partial pass). It never writes into DIR: the log dir is
// evidence and stays as the gate left it.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { staleReason } from './build-stamp.mjs';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** GitHub's workflow-command escaping: a message may hold newlines, a property also `:` and `,`. */
function escapeData(text) {
  return String(text).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(text) {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function output(name, value) {
  const file = process.env.GITHUB_OUTPUT;
  if (file) appendFileSync(file, `${name}=${String(value).replace(/\n/g, ' ')}\n`);
}

function fail(msg) {
  process.stderr.write(`release-gate action: ${msg}\n`);
  if (process.env.GITHUB_ACTIONS === 'true') process.stdout.write(`::error title=release-gate::${escapeData(msg)}\n`);
  process.exit(1);
}

/** The gate's argv from the action's inputs (INPUT_CONFIG, INPUT_PRESET, INPUT_STABILITY, INPUT_LOG_DIR, INPUT_ARGS). */
function gateArgs(env, logDir) {
  const args = ['run', '--log-dir', logDir];
  if (env.INPUT_CONFIG) args.push('--config', env.INPUT_CONFIG);
  if (env.INPUT_PRESET) args.push('--preset', env.INPUT_PRESET);
  if (env.INPUT_STABILITY) args.push('--stability', env.INPUT_STABILITY);
  // Extra flags, whitespace-separated (`--deadline 45m --skip F`); no shell, so no quoting games.
  if (env.INPUT_ARGS) args.push(...env.INPUT_ARGS.split(/\s+/).filter(Boolean));
  return args;
}

function run() {
  const env = process.env;
  const logDir = resolve(env.INPUT_LOG_DIR || join(env.RUNNER_TEMP || '/tmp', `release-gate-${env.GITHUB_RUN_ID || process.pid}-${env.GITHUB_RUN_ATTEMPT || '1'}`));
  // Written first: the upload and summary steps need it even when the gate fails.
  output('log-dir', logDir);
  const cli = join(packageRoot, 'dist', 'bundle', 'cli', 'release-gate.cjs');
  if (!existsSync(cli)) fail(`${cli} not found: build the package first (npm ci runs the build).`);
  const args = gateArgs(env, logDir);
  process.stdout.write(`release-gate ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit' });
  output('exit-code', r.status ?? 1);
  process.exit(r.status ?? 1);
}

async function markdownFor(dir, result) {
  const file = join(dir, 'report.md');
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const reporter = join(packageRoot, 'dist', 'src', 'reporters', 'markdown-reporter.js');
  if (!existsSync(reporter)) fail(`${reporter} not found: build the package first (npm ci runs the build).`);
  const { markdownReporter } = await import(new URL(`file://${reporter}`).href);
  return markdownReporter.render(result);
}

async function summary(dir) {
  if (!dir) fail('usage: github-action.mjs summary DIR');
  const summaryFile = join(dir, 'summary.json');
  if (!existsSync(summaryFile)) {
    fail(`no summary.json in ${dir}: the gate did not get as far as writing its summary (bad usage or config, exit 2?). See the gate step's output.`);
  }
  let result;
  try {
    result = JSON.parse(readFileSync(summaryFile, 'utf8'));
  } catch (err) {
    fail(`${summaryFile} is not JSON: ${err.message}`);
  }
  const markdown = await markdownFor(dir, result);
  const artifactsNote = `\n_Evidence: the \`${process.env.INPUT_ARTIFACT_NAME || 'release-gate-logs'}\` artifact of this run (${(result.artifacts ?? []).length} files)._\n`;
  const target = process.env.GITHUB_STEP_SUMMARY;
  if (target) appendFileSync(target, `${markdown}${artifactsNote}`);
  else process.stdout.write(markdown);
  output('verdict', result.verdict);

  if (process.env.GITHUB_ACTIONS !== 'true') return;
  const failed = (result.criteria ?? []).filter((c) => !c.passed && !c.notSelected);
  for (const c of failed) {
    const unnamed = (c.logs ?? []).filter((l) => !String(c.detail).includes(l));
    const logs = unnamed.length ? ` (evidence: ${unnamed.join(', ')})` : '';
    process.stdout.write(`::error title=${escapeProperty(`release-gate ❌ ${c.title}`)}::${escapeData(`${c.title}: ${c.detail}${logs}`)}\n`);
  }
  if (result.verdict !== 'passed' && failed.length === 0) {
    process.stdout.write(`::error title=release-gate::${escapeData(`GATE ${result.verdict.toUpperCase()}${result.stoppedAt ? ` at ${result.stoppedAt}` : ''}`)}\n`);
  }
  if (result.verdict === 'passed' && result.complete === false) {
    process.stdout.write(`::warning title=release-gate partial::${escapeData(`A partial gate passed; it does not validate a release: ${(result.deviations ?? []).join('; ')}`)}\n`);
  }
}

function install(dryRun) {
  const stale = staleReason(packageRoot);
  const args = stale === null ? ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'] : ['ci', '--no-audit', '--no-fund'];
  const why = stale === null ? 'built files present and current: production dependencies only, no build' : `full install and build: ${stale}`;
  process.stdout.write(`release-gate action: ${why}\nnpm ${args.join(' ')}\n`);
  if (dryRun) return;
  const r = spawnSync('npm', args, { cwd: packageRoot, stdio: 'inherit' });
  if (r.error) fail(`npm ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) fail(`npm ${args.join(' ')} (in ${packageRoot}) exited ${r.status ?? r.signal}`);
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'install') install(rest.includes('--dry-run'));
else if (command === 'run') run();
else if (command === 'summary') await summary(rest[0]);
else fail(`unknown command "${command ?? ''}"; use \`install\`, \`run\` or \`summary DIR\``);
