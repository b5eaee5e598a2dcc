import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { CONFIG_MAX_BYTES, readRegularText } from '../common/safe-file.js';
import { parse as parseEnvFile } from 'dotenv';
import { MAX_BUDGET_MS, MAX_STABILITY_WINDOW_MS, parseDuration } from '../common/duration.js';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { RgConfigError, RgError, type ConfigIssue } from '../common/errors.js';
import type { WrittenDuration } from '../common/schema-parts.js';
import { generateSecretValue } from '../common/secret-value.js';
import { loadConfig, PRESETS_DIR, type LoadedConfig } from '../config/loader.js';
import { builtinRegistries, stepKindOf, type Registries } from '../config/registries.js';
import type { GateConfig } from '../config/schema.js';
import { bindStack } from '../drivers/bound-stack.js';
import { planSteps } from '../config/step-plan.js';
import type { CliOptions } from './cli-options.js';
import { shortSecretProblems } from './short-secret-problems.js';
import { removalProblems } from './removal-problems.js';

export interface ResolvedRun extends LoadedConfig {
  /** Project root: env ROOT, else config `cwd`, else the config file's folder (or the current folder for a bare preset). */
  root: string;
  logDir: string;
  /** Which setting gave the log dir (`--log-dir`, `LOG_DIR`, the config's `logDir`), for error messages. */
  logDirFrom: string;
  /** process.env plus generated secrets: what interpolation and the stack see. */
  env: Record<string, string>;
  /** Secrets generated for this run (never printed). */
  generated: Record<string, string>;
  selected: Set<string> | undefined;
  /** Values taken from the stack's env file (redacted like any secret when the config names them). */
  fromEnvFile: Record<string, string>;
  /** What makes this run partial: the selection flags, a shortened window. */
  deviations: string[];
  /** The documented switches and their values for this run. */
  switches: Record<string, string>;
}

/**
 * Turns flags + environment + config files into one resolved run. Precedence: flag > env >
 * file > default. Generated secrets (ADMIN_PASSWORD…) are created here, before the config is
 * interpolated, so `${ADMIN_PASSWORD}` in the config sees them.
 */
export function resolveRun(
  opts: CliOptions,
  cwd = process.cwd(),
  processEnv: NodeJS.ProcessEnv = process.env,
  registries: Registries = builtinRegistries,
  checks: { logDir?: boolean; driver?: boolean; issues?: ConfigIssue[] } = {},
): ResolvedRun {
  // Every problem of the flags, the environment and the config is listed at once: a user fixing
  // a bad flag must not then discover a bad config, one run at a time.
  const issues: ConfigIssue[] = [...flagProblems(opts), ...(checks.issues ?? [])];
  const env: Record<string, string> = Object.fromEntries(Object.entries(processEnv).filter((e): e is [string, string] => e[1] !== undefined));
  const load = (unset: 'error' | 'empty') => loadConfig({ configPath: opts.config, preset: opts.preset, cwd, env, registries, unset });
  // A config that does not load still gets the flags' and the log dir's problems listed with its own.
  const loadOrList = (unset: 'error' | 'empty' = 'error'): LoadedConfig => {
    try {
      return load(unset);
    } catch (err) {
      if (!(err instanceof RgError) || err.exitCode !== 2) throw err;
      const logDirFlag = opts.logDir ? '--log-dir' : env['LOG_DIR'] ? 'LOG_DIR' : undefined;
      const early = checks.logDir && logDirFlag ? logDirProblems(resolve(cwd, (opts.logDir || env['LOG_DIR']) as string), logDirFlag) : [];
      const own = err instanceof RgConfigError ? err.issues : [{ where: 'config', message: `${err.message}${err.hint ? ` (${err.hint})` : ''}` }];
      if (issues.length + early.length === 0) throw err;
      throw new RgConfigError([...issues, ...own, ...early]);
    }
  };
  // Provisional: the config names the secrets to generate and the env file, either of which may
  // set a `${VAR}` it uses. The run's own load below is strict (an unset `${VAR}` is an error).
  let loaded = loadOrList('empty');
  const generated: Record<string, string> = {};
  // What the stack's own env file sets is what the app really uses (a token, say): the gate
  // uses those values too, where the environment gives none.
  const fromEnvFile = readStackEnvFile(loaded, cwd, env, registries);
  for (const [name, value] of Object.entries(fromEnvFile)) if (!env[name]) env[name] = value;
  for (const name of loaded.config.secrets.generate) {
    // Letters and digits, never a leading `-`: safe on any command line (`set-password prof1 -M…` was read as an option).
    if (!env[name]) generated[name] = generateSecretValue();
  }
  Object.assign(env, generated);
  // Loaded once more only when the first load could not see everything `${…}` may name.
  if (loaded.provisional || Object.keys(generated).length > 0 || Object.keys(fromEnvFile).length > 0) loaded = loadOrList();
  const config = loaded.config;
  const switches = resolveSwitches(config, env, issues);
  issues.push(...shortSecretProblems(config, env));
  const deviations: string[] = [];
  if (opts.stability && !issues.some((i) => i.where === '--stability')) deviations.push(...applyStability(config, opts.stability, registries));
  const root = rootOf(loaded, cwd, env);
  const logDirSetting = opts.logDir || env['LOG_DIR'] || config.logDir;
  const logDir = logDirSetting ? (isAbsolute(logDirSetting) ? logDirSetting : resolve(cwd, logDirSetting)) : defaultLogDir();
  const selected = selectSteps(config, opts, registries, issues);
  if (selected) deviations.unshift(...(['only', 'skip', 'from'] as const).filter((flag) => opts[flag]).map((flag) => `--${flag} ${opts[flag]}`));
  const logDirFrom = opts.logDir ? '--log-dir' : env['LOG_DIR'] ? 'LOG_DIR' : config.logDir ? `${loaded.file}: logDir` : 'the default log dir';
  const stack = bindStack(registries, config.stack);
  if (checks.driver) issues.push(...stack.check(root));
  // Always, `plan` included: a config that would delete the project must not look valid.
  issues.push(...removalProblems(stack, root, { path: logDir, from: logDirFrom }));
  if (checks.logDir) issues.push(...logDirProblems(logDir, logDirFrom));
  if (issues.length > 0) throw new RgConfigError(issues);
  return { ...loaded, root, logDir, logDirFrom, env, generated, fromEnvFile, selected, deviations, switches };
}

/** A bound as the user would write it: `24h`, not `1440m00s`. */
const asHours = (ms: number): string => `${ms / 3_600_000}h`;

/** What is wrong with the flags themselves (durations in bounds), as config problems. */
export function flagProblems(opts: CliOptions): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (opts.stability !== undefined) {
    const ms = parseDuration(opts.stability);
    if (ms === null) issues.push({ where: '--stability', message: `"${opts.stability}" is not a duration; use e.g. 180s, 3m or 500ms` });
    else if (ms <= 0 || ms > MAX_STABILITY_WINDOW_MS) {
      issues.push({ where: '--stability', message: `${opts.stability} is out of range; a window watches the stack: give more than 0s and at most ${asHours(MAX_STABILITY_WINDOW_MS)} (e.g. 180s)` });
    }
  }
  if (opts.deadline !== undefined) {
    const ms = parseDuration(opts.deadline);
    if (ms === null || ms <= 0) issues.push({ where: '--deadline', message: `"${opts.deadline}" is not a positive duration; use e.g. 30m or 1h` });
    else if (ms > MAX_BUDGET_MS) issues.push({ where: '--deadline', message: `${opts.deadline} is out of range; give at most ${asHours(MAX_BUDGET_MS)} (e.g. 30m or 1h)` });
  }
  return issues;
}

/**
 * Why the log dir cannot hold this run's evidence, checked before anything is created or
 * started: an existing file, a folder with files in it (evidence would mix), or a path that
 * cannot be created (a file on the way, no write permission).
 */
export function logDirProblems(logDir: string, from: string): ConfigIssue[] {
  const where = `${from} ${logDir}`;
  const allowed = 'pick an empty or new folder (--log-dir / LOG_DIR)';
  let stat;
  try {
    stat = statSync(logDir);
  } catch {
    stat = null;
  }
  if (stat && !stat.isDirectory()) return [{ where, message: `is a file, not a folder; ${allowed}` }];
  if (stat) {
    if (readdirSync(logDir).length > 0) return [{ where, message: `is not empty: its evidence would mix with this run's; ${allowed}` }];
    return accessProblem(logDir, where, allowed);
  }
  // The nearest existing ancestor must be a folder we may write in.
  let parent = dirname(logDir);
  for (;;) {
    let parentStat;
    try {
      parentStat = statSync(parent);
    } catch {
      if (dirname(parent) === parent) return [{ where, message: `cannot be created; ${allowed}` }];
      parent = dirname(parent);
      continue;
    }
    if (!parentStat.isDirectory()) return [{ where, message: `cannot be created: ${parent} is a file; ${allowed}` }];
    return accessProblem(parent, where, allowed);
  }
}

function accessProblem(dir: string, where: string, allowed: string): ConfigIssue[] {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    return [];
  } catch {
    return [{ where, message: `cannot be written: no write permission on ${dir}; ${allowed}` }];
  }
}

/** Each documented switch's value (its default when unset), refused at load when not allowed. */
function resolveSwitches(config: GateConfig, env: Record<string, string>, issues: ConfigIssue[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, spec] of Object.entries(config.switches)) {
    const value = env[name] || spec.default;
    if (!spec.values.includes(value)) issues.push({ where: `env ${name}`, message: `"${value}" is not a value of this switch; allowed: ${spec.values.join(', ')} (${spec.description})` });
    values[name] = value;
    // Steps read it from the environment (`{{env.NAME}}`): the default is given there too.
    env[name] = value;
  }
  return values;
}

/** A bare preset gates the folder you are in; a config file gates its own folder; env ROOT wins. */
function rootOf(loaded: LoadedConfig, cwd: string, env: Record<string, string>): string {
  const barePreset = loaded.file.startsWith(PRESETS_DIR);
  const configRoot = loaded.config.cwd ? resolve(loaded.baseDir, loaded.config.cwd) : barePreset ? cwd : loaded.baseDir;
  return env['ROOT'] ? resolve(cwd, env['ROOT']) : configRoot;
}

/** The values of the stack's env file (compose's `--env-file`), when its driver has one and it exists. */
function readStackEnvFile(loaded: LoadedConfig, cwd: string, env: Record<string, string>, registries: Registries): Record<string, string> {
  const file = bindStack(registries, loaded.config.stack).envFile(rootOf(loaded, cwd, env));
  if (!file || !existsSync(file)) return {};
  return parseEnvFile(readRegularText(file, { maxBytes: CONFIG_MAX_BYTES, what: 'env file' }));
}

/** `/tmp/release_gate_<UTC YYYYMMDDTHHMMSSZ>`, as the seed names it. */
export function defaultLogDir(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return join('/tmp', `release_gate_${stamp}`);
}

/**
 * Sets the window of every step that watches stability (its `window:`, the field --stability
 * stands for); a window shorter than the config's own makes the run partial. The flag was
 * checked by flagProblems.
 */
function applyStability(config: GateConfig, text: string, registries: Registries): string[] {
  const window: WrittenDuration = { text, ms: parseDuration(text) ?? 0 };
  const deviations: string[] = [];
  for (const phase of config.phases) {
    for (const step of phase.steps) {
      if (!stepKindOf(registries, step.do).watchesStability) continue;
      const own = step['window'] as WrittenDuration;
      if (window.ms < own.ms) deviations.push(`stability window ${window.text} (config: ${own.text})`);
      step['window'] = window;
    }
  }
  return [...new Set(deviations)];
}

/**
 * Step ids selected by --only / --skip / --from; undefined = all. A step is named by its id or
 * by the log name the user sees (`06_stability_180s`); a phase id selects its steps.
 */
export function selectSteps(
  config: GateConfig,
  opts: Pick<CliOptions, 'only' | 'skip' | 'from'>,
  registries: Registries = builtinRegistries,
  issues: ConfigIssue[] = [],
): Set<string> | undefined {
  if (!opts.only && !opts.skip && !opts.from) return undefined;
  const planned = planSteps(config, registries);
  const stepIds = planned.map((p) => p.id);
  const expand = (flag: string, value: string): string[] =>
    value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .flatMap((name) => {
        const phase = config.phases.find((p) => p.id === name);
        if (phase) return planned.filter((p) => p.phase === phase).map((p) => p.id);
        const step = planned.find((p) => p.id === name || p.logName === name || `${p.logName}.log` === name);
        if (step) return [step.id];
        issues.push({
          where: flag,
          message: `unknown phase or step "${name}"; phases: ${config.phases.map((p) => p.id).join(', ')}; steps: ${[...new Set(planned.map((p) => p.logName))].join(', ')}`,
        });
        return [];
      });
  let selected = new Set(opts.only ? expand('--only', opts.only) : stepIds);
  if (opts.from) {
    const [first] = expand('--from', opts.from);
    if (first !== undefined) {
      const index = stepIds.indexOf(first);
      selected = new Set([...selected].filter((id) => stepIds.indexOf(id) >= index));
    }
  }
  if (opts.skip) for (const id of expand('--skip', opts.skip)) selected.delete(id);
  return selected;
}
