import type { Document, LineCounter } from 'yaml';
import { errorMessage, type ConfigIssue } from '../common/errors.js';
import { lazyRequire } from '../common/lazy-require.js';
import type { ParseCache } from './parse-cache.js';
import { MAX_YAML_DEPTH, yamlTooDeep } from './yaml-depth.js';

/*
 * Reading one config file's YAML: its tree, and its problems with file:line:col (syntax
 * errors, repeated keys, alias bombs, nesting too deep), never quoting a file that may not be
 * a config at all. The syntax tree is kept for positions.
 */

/** The YAML library: loaded only when a file is parsed (not read back from the parse cache) or an issue needs a position. */
export const yamlLibrary = lazyRequire<typeof import('yaml')>('yaml');

export interface Syntax {
  doc: Document;
  lines: LineCounter;
}

/** `config`: the file the user gave (its errors quote it, as they always did); `extends`: a file it names, maybe not a config at all. */
export type FileRole = 'config' | 'extends';

/** file:line:col of a top-level key, without its text. */
export function topKeyWhere(file: string, parsed: ParsedYaml, key: string): string {
  const { doc, lines } = parsed.syntax();
  const { isMap } = yamlLibrary();
  const pair = isMap(doc.contents) ? doc.contents.items.find((p) => (p.key as { value?: unknown } | null)?.value === key) : undefined;
  const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
  if (!range) return file;
  const pos = lines.linePos(range[0]);
  return `${file}:${pos.line}:${pos.col}`;
}

export interface ParsedYaml {
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

export function parseYamlFile(file: string, text: string, cache: ParseCache, role: FileRole): ParsedYaml {
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
