import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { RgConfigError, type ConfigIssue } from '../common/errors.js';
import { interpolateTree } from './interpolate.js';
import { isPlainObject, mergeConfig } from './merge.js';
import { configSchema, type GateConfig } from './schema.js';

/** Presets shipped with the package: presets/<name>.yml at the package root. */
export const PRESETS_DIR = fileURLToPath(new URL('../../../presets/', import.meta.url));

export interface LoadedConfig {
  config: GateConfig;
  /** The file the user pointed at (or the preset file). */
  file: string;
  /** Folder relative paths in the config resolve against. */
  baseDir: string;
}

interface SourceFile {
  file: string;
  doc: Document;
  lines: LineCounter;
}

export interface LoadOptions {
  /** Path given with --config; else release-gate.yml in cwd. */
  configPath?: string;
  /** Preset given with --preset (used alone, or as the base when a config file also exists). */
  preset?: string;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
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
  const sources: SourceFile[] = [];
  let file = discoverConfig(opts);
  if (file && !existsSync(file)) {
    throw new RgConfigError([{ where: file, message: 'config file not found (pass --config FILE or create release-gate.yml)' }]);
  }
  let raw: unknown;
  if (file) {
    raw = loadWithExtends(file, sources, issues, []);
    if (opts.preset) raw = mergeConfig(loadWithExtends(presetFile(opts.preset, file, issues), sources, issues, []), raw);
  } else if (opts.preset) {
    file = presetFile(opts.preset, opts.cwd, issues);
    raw = loadWithExtends(file, sources, issues, []);
  } else {
    throw new RgConfigError([
      { where: opts.cwd, message: 'no release-gate.yml here; pass --config FILE or --preset NAME (e.g. --preset korrigo)' },
    ]);
  }
  if (issues.length > 0) throw new RgConfigError(issues);

  const interpolated = interpolateTree(raw, opts.env, issues);
  if (isPlainObject(interpolated)) delete interpolated['extends'];
  const parsed = configSchema.safeParse(interpolated, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) issues.push(describeIssue(issue, sources));
  }
  if (issues.length > 0) throw new RgConfigError(issues);
  if (!parsed.success) throw new Error('unreachable: schema failed without issues');
  const config = parsed.data;
  checkReferences(config, issues);
  if (issues.length > 0) throw new RgConfigError(issues);
  return { config, file: file as string, baseDir: dirname(file as string) };
}

function presetFile(name: string, from: string, issues: ConfigIssue[]): string {
  const path = presetPath(name);
  if (!existsSync(path)) issues.push({ where: from, message: `unknown preset "${name}" (looked for ${path})` });
  return path;
}

function loadWithExtends(file: string, sources: SourceFile[], issues: ConfigIssue[], chain: string[]): unknown {
  if (chain.includes(file)) {
    issues.push({ where: file, message: `extends cycle: ${[...chain, file].join(' → ')}` });
    return {};
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    issues.push({ where: file, message: `cannot read: ${(err as Error).message}` });
    return {};
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  for (const error of doc.errors) {
    const pos = error.linePos?.[0];
    issues.push({ where: pos ? `${file}:${pos.line}:${pos.col}` : file, message: `YAML syntax: ${(error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}` });
  }
  if (doc.errors.length > 0) return {};
  sources.unshift({ file, doc, lines });
  const data: unknown = doc.toJS() ?? {};
  if (!isPlainObject(data)) {
    issues.push({ where: file, message: 'the config must be a YAML mapping (key: value)' });
    return {};
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
    merged = mergeConfig(merged, loadWithExtends(parentFile, sources, issues, [...chain, file]));
  }
  return mergeConfig(merged, data);
}

/** Turns a zod issue into `where: message (received …)`, locating the node in the file that defines it. */
function describeIssue(issue: z.core.$ZodIssue, sources: SourceFile[]): ConfigIssue {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const yamlPath = formatPath(path);
  let where = yamlPath || '(root)';
  for (const source of sources) {
    const location = locate(source, path);
    if (location) {
      where = `${location} ${yamlPath}`;
      break;
    }
  }
  let message = issue.message;
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator) {
    message = `unknown ${issue.discriminator} value`;
  }
  if (issue.code === 'unrecognized_keys') {
    message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  const input = 'input' in issue ? issue.input : undefined;
  if (input !== undefined && issue.code !== 'unrecognized_keys' && !isPlainObject(input) && !Array.isArray(input)) {
    message += ` (received ${JSON.stringify(input)})`;
  }
  if (issue.code === 'invalid_type' && input === undefined) message = `required: ${issue.message}`;
  return { where, message };
}

function locate(source: SourceFile, path: (string | number)[]): string | null {
  const node = source.doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
  let offset = node && typeof node === 'object' && node.range ? node.range[0] : undefined;
  if (offset === undefined && path.length > 0) {
    // A missing key: point at its parent mapping.
    const parent = source.doc.getIn(path.slice(0, -1), true) as { range?: [number, number, number] } | undefined;
    offset = parent && typeof parent === 'object' && parent.range ? parent.range[0] : undefined;
  }
  if (offset === undefined) return null;
  const pos = source.lines.linePos(offset);
  return `${source.file}:${pos.line}:${pos.col}`;
}

export function formatPath(path: (string | number)[]): string {
  return path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

/** Cross-field checks the schema cannot express: unknown services, criteria, duplicate ids. */
function checkReferences(config: GateConfig, issues: ConfigIssue[]): void {
  const criteria = new Set(Object.keys(config.criteria));
  const services = config.stack.driver === 'local' ? new Set(Object.keys(config.stack.services)) : null;
  const seenSteps = new Set<string>();
  config.phases.forEach((phase, p) => {
    phase.steps.forEach((step, s) => {
      const where = `phases[${p}].steps[${s}]`;
      const id = step.id ?? step.log;
      if (seenSteps.has(id)) issues.push({ where, message: `duplicate step id "${id}" (give one of them an id)` });
      seenSteps.add(id);
      if (step.criterion && !criteria.has(step.criterion)) {
        issues.push({ where: `${where}.criterion`, message: `unknown criterion "${step.criterion}"; declared: ${[...criteria].join(', ') || 'none'}` });
      }
      if (services && 'service' in step && step.service && !services.has(step.service)) {
        issues.push({ where: `${where}.service`, message: `unknown service "${step.service}"; declared: ${[...services].join(', ')}` });
      }
    });
  });
  if (config.stack.driver === 'local') {
    const declared = config.stack.services;
    for (const [name, svc] of Object.entries(declared)) {
      for (const [dep, condition] of Object.entries(svc.dependsOn)) {
        const where = `stack.services.${name}.dependsOn.${dep}`;
        if (!declared[dep]) issues.push({ where, message: `unknown service "${dep}"; declared: ${Object.keys(declared).join(', ')}` });
        else if (condition === 'healthy' && !declared[dep].healthcheck) issues.push({ where, message: `"healthy" needs a healthcheck on service "${dep}"` });
      }
    }
  }
}
