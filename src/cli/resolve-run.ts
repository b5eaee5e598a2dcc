import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { RgUsageError } from '../common/errors.js';
import { generateSecretValue } from '../common/secret-value.js';
import { loadConfig, PRESETS_DIR, type LoadedConfig } from '../config/loader.js';
import { builtinRegistries, type Registries } from '../config/registries.js';
import type { GateConfig, StackConfig } from '../config/schema.js';
import { stepId } from '../config/step-plan.js';
import type { CliOptions } from './cli.js';

export interface ResolvedRun extends LoadedConfig {
  /** Project root: env ROOT, else config `cwd`, else the config file's folder (or the current folder for a bare preset). */
  root: string;
  logDir: string;
  /** process.env plus generated secrets: what interpolation and the stack see. */
  env: Record<string, string>;
  /** Secrets generated for this run (never printed). */
  generated: Record<string, string>;
  selected: Set<string> | undefined;
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
): ResolvedRun {
  const env: Record<string, string> = Object.fromEntries(Object.entries(processEnv).filter((e): e is [string, string] => e[1] !== undefined));
  const load = () => loadConfig({ configPath: opts.config, preset: opts.preset, cwd, env, registries });
  let loaded = load();
  const generated: Record<string, string> = {};
  for (const name of loaded.config.secrets.generate) {
    // Letters and digits, never a leading `-`: safe on any command line (`set-password prof1 -M…` was read as an option).
    if (!env[name]) generated[name] = generateSecretValue();
  }
  if (Object.keys(generated).length > 0) {
    Object.assign(env, generated);
    loaded = load();
  }
  const config = loaded.config;
  if (opts.stability) applyStability(config, opts.stability);
  // A bare preset gates the folder you are in; a config file gates its own folder.
  const barePreset = loaded.file.startsWith(PRESETS_DIR);
  const configRoot = config.cwd ? resolve(loaded.baseDir, config.cwd) : barePreset ? cwd : loaded.baseDir;
  const root = env['ROOT'] ? resolve(cwd, env['ROOT']) : configRoot;
  const logDirSetting = opts.logDir ?? env['LOG_DIR'] ?? config.logDir;
  const logDir = logDirSetting ? (isAbsolute(logDirSetting) ? logDirSetting : resolve(cwd, logDirSetting)) : defaultLogDir();
  return { ...loaded, root, logDir, env, generated, selected: selectSteps(config, opts) };
}

/** `/tmp/release_gate_<UTC YYYYMMDDTHHMMSSZ>`, as the seed names it. */
export function defaultLogDir(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return join('/tmp', `release_gate_${stamp}`);
}

/**
 * Private state of the local driver, stable per project root and resolved stack: a rerun
 * finds what an interrupted run left, while gates on other ports or data dirs never meet.
 */
export function localStateDir(root: string, stack: StackConfig): string {
  const key = createHash('sha256').update(root).update(JSON.stringify(stack)).digest('hex').slice(0, 12);
  return join(tmpdir(), `release-gate-local-${key}`);
}

function applyStability(config: GateConfig, window: string): void {
  for (const phase of config.phases) for (const step of phase.steps) if (step.do === 'stability') step['window'] = window;
}

/** Step ids selected by --only / --skip / --from (phase ids select their steps); undefined = all. */
export function selectSteps(config: GateConfig, opts: Pick<CliOptions, 'only' | 'skip' | 'from'>): Set<string> | undefined {
  if (!opts.only && !opts.skip && !opts.from) return undefined;
  const phaseIds = config.phases.map((p) => p.id);
  const stepIds = config.phases.flatMap((p) => p.steps.map(stepId));
  const expand = (flag: string, value: string): string[] =>
    value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .flatMap((id) => {
        const phase = config.phases.find((p) => p.id === id);
        if (phase) return phase.steps.map(stepId);
        if (stepIds.includes(id)) return [id];
        throw new RgUsageError(`${flag}: unknown phase or step "${id}".`, `Phases: ${phaseIds.join(', ')}. Steps: ${stepIds.join(', ')}.`);
      });
  let selected = new Set(opts.only ? expand('--only', opts.only) : stepIds);
  if (opts.from) {
    const [first] = expand('--from', opts.from);
    const index = stepIds.indexOf(first as string);
    selected = new Set([...selected].filter((id) => stepIds.indexOf(id) >= index));
  }
  if (opts.skip) for (const id of expand('--skip', opts.skip)) selected.delete(id);
  return selected;
}
