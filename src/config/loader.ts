import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RgConfigError, RgUnsafeFileError, type ConfigIssue } from '../common/errors.js';
import { pathSegmentProblem } from '../common/confined-path.js';
import { lazyRequire } from '../common/lazy-require.js';
import { CONFIG_MAX_BYTES, readRegularText } from '../common/safe-file.js';
import { bindDriver } from '../drivers/bound-stack.js';
import { codePlaces } from './command-code.js';
import { describeIssue } from './config-issue.js';
import { Origins, phaseId, stepId, valueAt, type Path, type SourceFile } from './config-origins.js';
import { hasInterpolation, interpolateTree } from './interpolate.js';
import { isPlainObject, mergeConfig } from './merge.js';
import { ParseCache } from './parse-cache.js';
import { builtinRegistries, type Registries } from './registries.js';
import { buildConfigSchema, type ConfigSchema, type GateConfig } from './schema.js';
import { parseYamlFile, topKeyWhere, type FileRole } from './yaml-file.js';

// removal-problems.ts (cli) reads formatPath from here.
export { formatPath } from './config-origins.js';

/** Presets shipped with the package: presets/<name>.yml at the package root. */
export const PRESETS_DIR = fileURLToPath(new URL('../../../presets/', import.meta.url));

export interface LoadedConfig {
  config: GateConfig;
  /** The file the user pointed at (or the preset file). */
  file: string;
  /** Folder relative paths in the config resolve against. */
  baseDir: string;
  /** Loaded with `unset: 'empty'` and some `${VAR}` was unset: to be loaded again, strictly, before use. */
  provisional?: boolean;
}

const yamlVersion = lazyRequire<{ version: string }>('yaml/package.json');

export interface LoadOptions {
  /** Path given with --config; else release-gate.yml in cwd. */
  configPath?: string;
  /** Preset given with --preset (used alone, or as the base when a config file also exists). */
  preset?: string;
  /** Step kinds, drivers and reporters the config may name; the built-in ones by default. */
  registries?: Registries;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /**
   * `empty` only for a provisional load (reading which secrets to generate before they exist):
   * an unset `${VAR}` then becomes "". Every load a run uses is strict (the default).
   */
  unset?: 'error' | 'empty';
}

export function presetPath(name: string): string {
  return resolve(PRESETS_DIR, `${name}.yml`);
}

/** Finds the config file: --config, else release-gate.yml in cwd; null when none (a preset may stand alone). */
export function discoverConfig(opts: Pick<LoadOptions, 'configPath' | 'cwd'>): string | null {
  if (opts.configPath) return resolve(opts.cwd, opts.configPath);
  const candidate = resolve(opts.cwd, 'release-gate.yml');
  return existsSync(candidate) ? candidate : null;
}

/**
 * Loads, merges (`extends`), interpolates and validates a config. Collects every problem
 * (YAML syntax with file:line:col, schema issues with their YAML path, the value received
 * and what is allowed) and throws them together as one RgConfigError.
 */
export function loadConfig(opts: LoadOptions): LoadedConfig {
  const issues: ConfigIssue[] = [];
  // In merge order, lowest priority first: a value comes from the last source defining it.
  const sources: SourceFile[] = [];
  const cache = ParseCache.forEnvironment(process.env, yamlVersion().version);
  const loadWithExtends = (file: string, into: SourceFile[], chain: string[]) => loadTree(file, into, issues, chain, cache);
  let file = discoverConfig(opts);
  if (file && !existsSync(file)) {
    throw new RgConfigError([{ where: file, message: 'config file not found (pass --config FILE or create release-gate.yml)' }]);
  }
  let raw: unknown;
  if (file) {
    const own: SourceFile[] = [];
    raw = loadWithExtends(file, own, []);
    if (opts.preset) raw = mergeConfig(loadWithExtends(presetFile(opts.preset, file, issues), sources, []), raw);
    sources.push(...own);
  } else if (opts.preset) {
    file = presetFile(opts.preset, opts.cwd, issues);
    raw = loadWithExtends(file, sources, []);
  } else {
    throw new RgConfigError([
      { where: opts.cwd, message: 'no release-gate.yml here; pass --config FILE or --preset NAME (e.g. --preset korrigo)' },
    ]);
  }
  if (issues.length > 0) throw new RgConfigError(issues);

  const interpolation: ConfigIssue[] = [];
  let provisional = false;
  const interpolated = interpolateTree(raw, opts.env, interpolation, [], { unset: opts.unset ?? 'error', onUnset: () => (provisional = true) });
  if (isPlainObject(interpolated)) delete interpolated['extends'];
  const origins = new Origins(raw, sources, opts.env);
  for (const { path, ...issue } of interpolation) issues.push(path ? { ...issue, where: origins.where(path, valueAt(interpolated, path)) } : issue);
  const registries = opts.registries ?? builtinRegistries;
  const schema = configSchemaFor(registries);
  for (const problem of interpolatedCode(schema, raw, interpolated)) issues.push({ where: origins.where(problem.path, valueAt(interpolated, problem.path)), message: problem.message });
  const parsed = schema.safeParse(interpolated, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) issues.push(describeIssue(issue, origins));
  }
  // Also when the schema failed (best effort on the raw tree), so every problem comes out at once.
  checkReferences(interpolated, registries, (path, message) => issues.push({ where: origins.where(path, valueAt(interpolated, path)), message }));
  if (issues.length > 0 || !parsed.success) throw new RgConfigError(issues);
  return { config: parsed.data, file: file as string, baseDir: dirname(file as string), ...(provisional ? { provisional } : {}) };
}

/**
 * `${…}` where the value would run as code: a string command (sh -c) or the script argument
 * of an argv command (`sh -c X`, `node -e X`). Refused with the safe form: the value in the
 * step's or service's `env:`, read by the shell as "$$NAME" (data, expanded once).
 */
function interpolatedCode(schema: ConfigSchema, raw: unknown, interpolated: unknown): { path: Path; message: string }[] {
  const out: { path: Path; message: string }[] = [];
  for (const place of codePlaces(schema, interpolated)) {
    const text = valueAt(raw, place.path);
    if (typeof text !== 'string' || !hasInterpolation(text)) continue;
    const name = /\$\{([A-Za-z_][A-Za-z0-9_]*)/.exec(text.replaceAll('$$', ''))?.[1] ?? 'NAME';
    const read =
      place.kind === 'string command'
        ? `write "$$${name}" in the command (the shell reads "$${name}" once, as a value), or use an argv list with the value as its own item`
        : `read it from the environment in the script ("$$${name}" in sh, process.env.${name} in node, os.environ["${name}"] in python)`;
    const runner = place.kind === 'string command' ? 'this string command runs through sh -c' : 'this argument is a script (after -c / -e)';
    out.push({
      path: place.path,
      message: `\${…} in a command: ${runner}, so an interpolated value would run as code ($(…), backticks, quotes). Pass the value as data: put it in env (env: { ${name}: "\${${name}}" }) and ${read}`,
    });
  }
  return out;
}

const schemas = new WeakMap<Registries, ConfigSchema>();

/** The config schema of a set of registries, built once. */
export function configSchemaFor(registries: Registries): ConfigSchema {
  let schema = schemas.get(registries);
  if (!schema) schemas.set(registries, (schema = buildConfigSchema(registries)));
  return schema;
}

function presetFile(name: string, from: string, issues: ConfigIssue[]): string {
  const path = presetPath(name);
  if (!existsSync(path)) issues.push({ where: from, message: `unknown preset "${name}" (looked for ${path})` });
  return path;
}

/** A file's tree merged over its `extends` parents; adds each file read to `sources`, parents first. */
function loadTree(file: string, sources: SourceFile[], issues: ConfigIssue[], chain: string[], cache: ParseCache): unknown {
  if (chain.includes(file)) {
    issues.push({ where: file, message: `extends cycle: ${[...chain, file].join(' → ')}` });
    return {};
  }
  // An extends target may be any file the config names (/etc/passwd, a JSON file): its problems
  // name the file and line:col only, never its text.
  const role: FileRole = chain.length > 0 ? 'extends' : 'config';
  let text: string;
  try {
    text = readRegularText(file, { maxBytes: CONFIG_MAX_BYTES, what: role === 'extends' ? 'extends target' : 'config' });
  } catch (err) {
    issues.push({ where: file, message: err instanceof RgUnsafeFileError ? err.message : `cannot read: ${(err as Error).message}` });
    return {};
  }
  const parsed = parseYamlFile(file, text, cache, role);
  issues.push(...parsed.problems);
  if (parsed.problems.length > 0) return {};
  // An empty file is an empty mapping (the schema then says what is missing).
  const data = parsed.tree ?? {};
  if (!isPlainObject(data)) {
    issues.push({ where: file, message: 'the config must be a YAML mapping (key: value)' });
    return {};
  }
  if (role === 'extends') {
    const stranger = foreignTopKey(data);
    if (stranger !== undefined) {
      issues.push({ where: topKeyWhere(file, parsed, stranger), message: `not a release-gate config: a top-level key is not a config key (allowed: ${configKeys().join(', ')})` });
      return {};
    }
  }
  const parents = data['extends'] === undefined ? [] : Array.isArray(data['extends']) ? data['extends'] : [data['extends']];
  let merged: unknown = {};
  for (const parent of parents) {
    if (typeof parent !== 'string') {
      issues.push({ where: `${file}: extends`, message: 'expected a preset name or a path' });
      continue;
    }
    const parentFile = /[/\\]|\.ya?ml$/.test(parent) ? (isAbsolute(parent) ? parent : resolve(dirname(file), parent)) : presetFile(parent, file, issues);
    if (!existsSync(parentFile)) {
      if (parentFile !== presetPath(parent)) issues.push({ where: `${file}: extends`, message: `file not found: ${parentFile}` });
      continue;
    }
    merged = mergeConfig(merged, loadTree(parentFile, sources, issues, [...chain, file], cache));
  }
  // After its parents: this file overrides them.
  sources.push({ file, syntax: parsed.syntax, data });
  return mergeConfig(merged, data);
}

/** The top-level keys a config may have (the same with any registries). */
function configKeys(): string[] {
  return Object.keys(configSchemaFor(builtinRegistries).shape);
}

/** The first top-level key that is not a config key: the file is someone else's (package.json, another tool's YAML). */
function foreignTopKey(data: Record<string, unknown>): string | undefined {
  const keys = new Set(configKeys());
  return Object.keys(data).find((key) => !keys.has(key));
}

/**
 * Cross-field checks the schema cannot express: unknown services and criteria, duplicate ids,
 * dependsOn. Run on the interpolated tree even when the schema failed, so every access is guarded.
 */
function checkReferences(tree: unknown, registries: Registries, report: (path: Path, message: string) => void): void {
  if (!isPlainObject(tree)) return;
  const criteriaNode = tree['criteria'] ?? {};
  const criteria = isPlainObject(criteriaNode) ? Object.keys(criteriaNode) : null;
  const stack = tree['stack'];
  const driver = isPlainObject(stack) ? registries.drivers.find((d) => d.name === stack['driver']) : undefined;
  let declared: string[] | null = null;
  try {
    // On the raw tree: a stack the schema refused may not have the declared shape.
    declared = driver && isPlainObject(stack) ? bindDriver(driver, stack).declaredServices() : null;
  } catch {
    declared = null;
  }
  const checkService = (path: Path, name: unknown) => {
    if (declared && typeof name === 'string' && !declared.includes(name)) {
      report(path, `unknown service "${name}"; declared: ${declared.join(', ') || 'none'}`);
    }
  };
  const phases = Array.isArray(tree['phases']) ? tree['phases'] : [];
  const seenPhases = new Set<string>();
  const seenSteps = new Set<string>();
  const seenLogs = new Map<string, Path>();
  phases.forEach((phase, p) => {
    if (!isPlainObject(phase)) return;
    const phaseKey = phaseId(phase);
    if (phaseKey !== undefined && seenPhases.has(phaseKey)) report(['phases', p, 'id'], `duplicate phase id "${phaseKey}"`);
    if (phaseKey !== undefined) seenPhases.add(phaseKey);
    const steps = Array.isArray(phase['steps']) ? phase['steps'] : [];
    steps.forEach((step, s) => {
      if (!isPlainObject(step)) return;
      const path: Path = ['phases', p, 'steps', s];
      const id = stepId(step);
      if (id !== undefined && seenSteps.has(id)) report(path, `duplicate step id ${JSON.stringify(id)} (give one of them an id)`);
      if (id !== undefined) seenSteps.add(id);
      // The log name (and an id, which may stand for it) is a file name in the log dir and a
      // console label: one safe segment, never `../x` or a newline forging a console line.
      // Placeholders ({window}, {runs}) are only ever filled with digits, so the raw name decides.
      for (const key of ['log', 'id'] as const) {
        const unsafe = typeof step[key] === 'string' ? pathSegmentProblem(step[key]) : null;
        if (unsafe) report([...path, key], `${JSON.stringify(step[key])} ${unsafe}; a ${key === 'log' ? 'log name' : 'step id'} is one file name: letters, digits, _ - . {} (no / \\ .. or control characters)`);
      }
      const log = step['log'];
      const firstWithLog = typeof log === 'string' ? seenLogs.get(log) : undefined;
      // Two steps writing one numbered log: the summary could not say which of them failed.
      if (typeof log === 'string' && firstWithLog) report([...path, 'log'], `duplicate log name ${JSON.stringify(log)} (also phases[${firstWithLog[1]}].steps[${firstWithLog[3]}]); give each step its own log`);
      else if (typeof log === 'string') seenLogs.set(log, path);
      const criterion = step['criterion'];
      if (criteria && typeof criterion === 'string' && !criteria.includes(criterion)) {
        report([...path, 'criterion'], `unknown criterion "${criterion}"; declared: ${criteria.join(', ') || 'none'}`);
      }
      checkService([...path, 'service'], step['service']);
      const kind = registries.steps.find((k) => k.name === step['do']);
      if (kind?.disturbsStack && phase['always'] !== true && phase['ifPassed'] !== true) {
        report([...path, 'do'], `a "${kind.name}" step stops or replaces the stack's services: put it in a phase with always: true or ifPassed: true, after the log capture (in a main phase it would end the stability watch mid-run)`);
      }
      const idempotence = step['idempotence'];
      if (isPlainObject(idempotence)) checkService([...path, 'idempotence', 'service'], idempotence['service']);
    });
  });
  // Cross-field rules of the stack itself (dependsOn targets…) belong to its driver.
  driver?.checkRaw?.(stack as Record<string, unknown>, (path, message) => report(['stack', ...path], message));
}
