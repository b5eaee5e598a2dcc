import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import type { Document, LineCounter } from 'yaml';
import type { z } from 'zod';
import { RgConfigError, RgUnsafeFileError, errorMessage, type ConfigIssue } from '../common/errors.js';
import { pathSegmentProblem } from '../common/confined-path.js';
import { lazyRequire } from '../common/lazy-require.js';
import { CONFIG_MAX_BYTES, readRegularText } from '../common/safe-file.js';
import { bindDriver } from '../drivers/bound-stack.js';
import { codePlaces } from './command-code.js';
import { hasInterpolation, interpolateTree } from './interpolate.js';
import { isPlainObject, mergeConfig } from './merge.js';
import { ParseCache } from './parse-cache.js';
import { builtinRegistries, type Registries } from './registries.js';
import { buildConfigSchema, type ConfigSchema, type GateConfig } from './schema.js';
import { MAX_YAML_DEPTH, yamlTooDeep } from './yaml-depth.js';

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

/** The YAML library: loaded only when a file is parsed (not read back from the parse cache) or an issue needs a position. */
const yamlLibrary = lazyRequire<typeof import('yaml')>('yaml');
const yamlVersion = lazyRequire<{ version: string }>('yaml/package.json');

interface SourceFile {
  file: string;
  /** The syntax tree, for positions: parsed on first use when the tree came from the cache. */
  syntax: () => Syntax;
  /** The file's own tree, before merging and interpolation. */
  data: Record<string, unknown>;
}

interface Syntax {
  doc: Document;
  lines: LineCounter;
}

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

/** `config`: the file the user gave (its errors quote it, as they always did); `extends`: a file it names, maybe not a config at all. */
type FileRole = 'config' | 'extends';

/** The top-level keys a config may have (the same with any registries). */
function configKeys(): string[] {
  return Object.keys(configSchemaFor(builtinRegistries).shape);
}

/** The first top-level key that is not a config key: the file is someone else's (package.json, another tool's YAML). */
function foreignTopKey(data: Record<string, unknown>): string | undefined {
  const keys = new Set(configKeys());
  return Object.keys(data).find((key) => !keys.has(key));
}

/** file:line:col of a top-level key, without its text. */
function topKeyWhere(file: string, parsed: ParsedYaml, key: string): string {
  const { doc, lines } = parsed.syntax();
  const { isMap } = yamlLibrary();
  const pair = isMap(doc.contents) ? doc.contents.items.find((p) => (p.key as { value?: unknown } | null)?.value === key) : undefined;
  const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
  if (!range) return file;
  const pos = lines.linePos(range[0]);
  return `${file}:${pos.line}:${pos.col}`;
}

interface ParsedYaml {
  role: FileRole;
  text: string;
  /** The file's tree (null for an empty file); meaningless when there are problems. */
  tree: unknown;
  /** Syntax errors, repeated keys and alias bombs, with file:line:col. */
  problems: ConfigIssue[];
  syntax: () => Syntax;
}

/**
 * Parsed files by path, kept while their text is unchanged: a run loads its config twice (once
 * more after generating secrets) and parsing is most of a load (the korrigo preset: ~200 ms of
 * the 0.5 s `plan` on this machine's kind). Across runs, the parse cache keeps the trees.
 */
const parsedYaml = new Map<string, ParsedYaml>();

function parseYamlFile(file: string, text: string, cache: ParseCache, role: FileRole): ParsedYaml {
  const known = parsedYaml.get(file);
  if (known && known.text === text && known.role === role) return known;
  const cached = cache.get(text);
  let parsed: ParsedYaml;
  if (cached !== undefined) {
    let syntax: Syntax | undefined;
    parsed = { role, text, tree: cached, problems: [], syntax: () => (syntax ??= parseSyntax(text)) };
  } else {
    // Before the parser, which recurses per level and crashes the process on 10,000 `[`.
    const deep = yamlTooDeep(text);
    if (deep !== null) {
      const { line, col } = lineCol(text, deep);
      const problems = [{ where: `${file}:${line}:${col}`, message: `YAML nested deeper than ${MAX_YAML_DEPTH} levels; at most ${MAX_YAML_DEPTH} are allowed` }];
      return { role, text, tree: null, problems, syntax: () => parseSyntax('') };
    }
    const syntax = parseSyntax(text);
    const problems = syntaxProblems(syntax, file, role);
    let tree: unknown = null;
    if (problems.length === 0) {
      try {
        tree = syntax.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? null;
        cache.put(text, tree);
      } catch (err) {
        // yaml stops an alias bomb ("billion laughs") with a ReferenceError that names no file.
        problems.push({ where: file, message: `YAML aliases expand too much (${errorMessage(err)}); at most ${MAX_ALIAS_COUNT} alias expansions per node are allowed` });
      }
    }
    parsed = { role, text, tree, problems, syntax: () => syntax };
  }
  // Shared by every later load of this text in the process: frozen, so code that would change
  // it (and so a later load) throws instead.
  deepFreeze(parsed.tree);
  parsedYaml.set(file, parsed);
  return parsed;
}

function deepFreeze(tree: unknown): void {
  if (tree === null || typeof tree !== 'object' || Object.isFrozen(tree)) return;
  Object.freeze(tree);
  for (const child of Object.values(tree)) deepFreeze(child);
}

function parseSyntax(text: string): Syntax {
  const { LineCounter, parseDocument } = yamlLibrary();
  const lines = new LineCounter();
  // uniqueKeys off: the library's own check compares every key with every other (a 2 MB
  // mapping took 215 s); duplicateKeys does the same in one pass.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: false });
  return { doc, lines };
}

function syntaxProblems({ doc, lines }: Syntax, file: string, role: FileRole): ConfigIssue[] {
  const problems: ConfigIssue[] = doc.errors.map((error) => {
    const pos = error.linePos?.[0];
    // The library's message may quote the file's text: for an extends target only its code.
    const message = role === 'extends' ? `not a YAML config (YAML syntax error ${error.code})` : `YAML syntax: ${(error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`;
    return { where: pos ? `${file}:${pos.line}:${pos.col}` : file, message };
  });
  if (problems.length === 0) problems.push(...duplicateKeys(doc, lines, file, role));
  return problems;
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, col: offset - before.lastIndexOf('\n') };
}

type Path = (string | number)[];

/** yaml's own default: enough for any hand-written config, far below a "billion laughs". */
const MAX_ALIAS_COUNT = 100;

/** Every key repeated in a mapping, with file:line:col, in one pass over the document. */
function duplicateKeys(doc: Document, lines: LineCounter, file: string, role: FileRole): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { isScalar, visit } = yamlLibrary();
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        // `<<` merge keys may repeat; non-scalar keys are compared by the library only (rare, never in a config).
        if (!isScalar(pair.key) || pair.key.value === '<<') continue;
        const value = pair.key.value;
        if (!seen.has(value)) {
          seen.add(value);
          continue;
        }
        const pos = pair.key.range ? lines.linePos(pair.key.range[0]) : undefined;
        const key = role === 'extends' ? 'a key' : `key "${String(value)}"`;
        issues.push({ where: pos ? `${file}:${pos.line}:${pos.col}` : file, message: `duplicate ${key} in a mapping; each key may appear once` });
      }
    },
  });
  return issues;
}

/** Turns a zod issue into `where: message (received …)`, locating the node in the file that defines it. */
function describeIssue(issue: z.core.$ZodIssue, origins: Origins): ConfigIssue {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const input = 'input' in issue ? issue.input : undefined;

  if (issue.code === 'invalid_union' && issue.discriminator) {
    // zod puts the discriminator at the end of the path and the whole object in `input`.
    const discriminator = issue.discriminator;
    const at = path[path.length - 1] === discriminator ? path : [...path, discriminator];
    const value = isPlainObject(input) ? input[discriminator] : undefined;
    const allowed = 'options' in issue && issue.options ? issue.options.map(String).join(', ') : '';
    const message =
      value === undefined
        ? `required: \`${discriminator}\`${allowed ? ` (one of: ${allowed})` : ''}`
        : `unknown ${discriminator} value (received ${received(value)})${allowed ? `; allowed: ${allowed}` : ''}`;
    return { where: origins.where(at, value), message };
  }
  if (issue.code === 'unrecognized_keys') {
    const [first = ''] = issue.keys;
    const value = isPlainObject(input) ? input[first] : undefined;
    return {
      where: origins.where([...path, first], value, { key: true }),
      message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`,
    };
  }

  let message = issue.message;
  if (issue.code === 'invalid_union' && message === 'Invalid input') message = `expected ${unionAlternatives(issue.errors)}`;
  // zod says "Invalid input: expected string, received number"; the value itself follows below.
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) message = `expected ${typeName(issue.expected)}`;
  if (input === undefined) {
    if (issue.code === 'invalid_type') message = `required: ${message}`;
  } else if (!isPlainObject(input) || issue.code === 'invalid_type' || issue.code === 'invalid_union') {
    // A message that already quotes the value (`invalid regular expression "(x"`) needs no repeat.
    if (!(typeof input === 'string' && input !== '' && message.includes(`"${input}"`))) message += ` (received ${received(input)})`;
  }
  return { where: origins.where(path, input), message };
}

/** `a string or a number`, from the first issue of each failed branch of a union. */
function unionAlternatives(branches: readonly (readonly z.core.$ZodIssue[])[]): string {
  const alternatives = branches.map((errors) => {
    const first = errors[0];
    if (!first) return 'another type';
    if (first.code === 'invalid_type' && first.path.length === 0) return typeName(first.expected);
    return first.message.replace(/^Invalid input: /, '');
  });
  return [...new Set(alternatives)].join(' or ') || 'another value';
}

function typeName(expected: string): string {
  return expected === 'record' || expected === 'object' ? 'a mapping (key: value)' : expected === 'array' ? 'a list' : `a ${expected}`;
}

function received(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(tree: unknown, path: Path): unknown {
  let node = tree;
  for (const part of path) {
    if (Array.isArray(node) && typeof part === 'number') node = node[part];
    else if (isPlainObject(node) && typeof part === 'string') node = node[part];
    else return undefined;
  }
  return node;
}

/** Items of `phases` and `steps` merge by id, so a merged index names an id, not a position in a file. */
type Segment = string | number | KeyedItem | { unkeyed: number };
/** The `nth` item with this id: a file may repeat an id (reported as a duplicate) and each must still be found. */
interface KeyedItem {
  id: string;
  kind: 'phase' | 'step';
  nth: number;
}

// The same keys as mergeConfig uses (merge.ts).
const phaseId = (item: unknown) => (isPlainObject(item) && typeof item['id'] === 'string' ? item['id'] : undefined);
const stepId = (item: unknown) => {
  if (!isPlainObject(item)) return undefined;
  if (typeof item['id'] === 'string') return item['id'];
  return typeof item['log'] === 'string' ? item['log'] : undefined;
};

/**
 * Finds which file a merged value comes from. A merged path is translated into ids
 * (`phases[id=C].steps[id=07_migrate_check].timeout`) and looked up in each source, most
 * derived first; file:line:col is given only when that is certainly where the value is set
 * (the only file setting it, or the winning file holding exactly the value received),
 * else the YAML path and the files that set it. Never a wrong file.
 */
class Origins {
  constructor(
    private readonly merged: unknown,
    private readonly sources: readonly SourceFile[],
    private readonly env: Readonly<Record<string, string | undefined>>,
  ) {}

  where(path: Path, value: unknown, opts: { key?: boolean } = {}): string {
    const yamlPath = formatPath(path) || '(root)';
    const keyed = this.keyedPath(path);
    if (!keyed) return yamlPath;
    const definers = this.definers(keyed);
    if (definers.length === 0) {
      if (value !== undefined || path.length === 0) return yamlPath;
      // A missing key: point at the mapping that lacks it, when one file alone declares it.
      const parents = this.definers(keyed.slice(0, -1));
      const [only] = parents;
      if (parents.length === 1 && only) return this.position(only.source, only.at, yamlPath);
      return this.unsure(yamlPath, keyed, parents, 'missing in');
    }
    const [winner] = definers;
    if (winner && (definers.length === 1 || (!isPlainObject(value) && this.holds(winner.source, winner.at, value)))) {
      return this.position(winner.source, winner.at, yamlPath, opts.key);
    }
    return this.unsure(yamlPath, keyed, definers);
  }

  private unsure(yamlPath: string, keyed: Segment[], definers: { source: SourceFile }[], verb = 'set in'): string {
    const step = [...keyed].reverse().find((s): s is KeyedItem => typeof s === 'object' && 'id' in s);
    const parts = [step ? `${step.kind} "${step.id}"` : '', definers.length ? `${verb} ${definers.map((d) => d.source.file).join(', ')}` : ''];
    const note = parts.filter(Boolean).join(', ');
    return note ? `${yamlPath} (${note})` : yamlPath;
  }

  private keyedPath(path: Path): Segment[] | null {
    const out: Segment[] = [];
    let node = this.merged;
    let parentKey: string | number | undefined;
    for (const part of path) {
      if (typeof part === 'number' && Array.isArray(node) && (parentKey === 'phases' || parentKey === 'steps')) {
        const keyOf = parentKey === 'phases' ? phaseId : stepId;
        const id = keyOf(node[part]);
        const nth = node.slice(0, part).filter((item) => keyOf(item) === id).length;
        out.push(id === undefined ? { unkeyed: part } : { id, kind: parentKey === 'phases' ? 'phase' : 'step', nth });
      } else {
        out.push(part);
      }
      node = valueAt(node, [part]);
      parentKey = part;
    }
    return out;
  }

  /** Sources defining the keyed path, most derived first, with the path inside each. */
  private definers(keyed: Segment[]): { source: SourceFile; at: Path }[] {
    const out: { source: SourceFile; at: Path }[] = [];
    for (const source of [...this.sources].reverse()) {
      const at = this.resolve(source.data, keyed);
      if (at) out.push({ source, at });
    }
    return out;
  }

  private resolve(data: unknown, keyed: Segment[]): Path | null {
    const at: Path = [];
    let node = data;
    for (const segment of keyed) {
      let part: string | number;
      if (typeof segment === 'object') {
        if (!Array.isArray(node)) return null;
        // An item without id is appended by the merge from one file we cannot tell: only exact with a single file.
        const index = 'id' in segment ? nthIndex(node, segment) : this.sources.length === 1 ? segment.unkeyed : -1;
        if (index < 0 || index >= node.length) return null;
        part = index;
      } else {
        part = segment;
      }
      node = valueAt(node, [part]);
      if (node === undefined) return null;
      at.push(part);
    }
    return at;
  }

  /** Whether the node holds the value received (after interpolation, as the schema saw it). */
  private holds(source: SourceFile, at: Path, value: unknown): boolean {
    const scratch: ConfigIssue[] = [];
    return isDeepStrictEqual(interpolateTree(valueAt(source.data, at), this.env, scratch), value);
  }

  /** `file:line:col yamlPath`, or `file yamlPath` when the node has no position. */
  private position(source: SourceFile, at: Path, yamlPath: string, key = false): string {
    const { doc, lines } = source.syntax();
    const { isMap } = yamlLibrary();
    let range: [number, number, number] | undefined;
    if (key && at.length > 0) {
      const parent = doc.getIn(at.slice(0, -1), true);
      const last = at[at.length - 1];
      const pair = isMap(parent) ? parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === last) : undefined;
      range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
    }
    if (!range) {
      const node = at.length === 0 ? doc.contents : doc.getIn(at, true);
      range = node && typeof node === 'object' && 'range' in node ? (node.range as [number, number, number] | undefined) : undefined;
    }
    if (!range) return `${source.file} ${yamlPath}`;
    const pos = lines.linePos(range[0]);
    return `${source.file}:${pos.line}:${pos.col} ${yamlPath}`;
  }
}

export function formatPath(path: (string | number)[]): string {
  return path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

function nthIndex(items: unknown[], segment: KeyedItem): number {
  const keyOf = segment.kind === 'phase' ? phaseId : stepId;
  let seen = 0;
  for (const [index, item] of items.entries()) {
    if (keyOf(item) === segment.id && seen++ === segment.nth) return index;
  }
  return -1;
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
      const idempotence = step['idempotence'];
      if (isPlainObject(idempotence)) checkService([...path, 'idempotence', 'service'], idempotence['service']);
    });
  });
  // Cross-field rules of the stack itself (dependsOn targets…) belong to its driver.
  driver?.checkRaw?.(stack as Record<string, unknown>, (path, message) => report(['stack', ...path], message));
}
