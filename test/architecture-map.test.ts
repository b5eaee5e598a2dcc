import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './helpers.js';

/*
 * The map stays true (issue 26, part 7): the folder edges docs/architecture.md lists are the
 * ones the code has, no import circle exists between folders or inside one, product code never
 * leans on a test-only helper, and no file grows past the size the design allows. Type-only
 * imports count: a type is a dependency of the design.
 */

const SRC = join(ROOT, 'src');
const isTestOnly = (file: string) => /\.test\.ts$|\.fixture\.ts$/.test(file);

function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !isTestOnly(name) ? [path] : [];
  });
}

/** Each product file's relative imports (static, `export … from`, dynamic), as absolute .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [
    ...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+['"](\.[^'"]+)['"]/gms),
    ...text.matchAll(/import\(\s*['"](\.[^'"]+)['"]\s*\)/g),
  ].map((m) => m[1] as string);
  return specs.map((spec) => resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
}

const files = sourceFiles();
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const folderOf = (file: string) => relative(SRC, file).split('/')[0] as string;
const rel = (file: string) => relative(ROOT, file);

/** Strongly connected components with more than one member (Tarjan). */
function circles(nodes: string[], edges: (n: string) => string[]): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (n: string) => {
    index.set(n, next);
    low.set(n, next++);
    stack.push(n);
    onStack.add(n);
    for (const m of edges(n)) {
      if (!index.has(m)) {
        visit(m);
        low.set(n, Math.min(low.get(n) as number, low.get(m) as number));
      } else if (onStack.has(m)) low.set(n, Math.min(low.get(n) as number, index.get(m) as number));
    }
    if (low.get(n) === index.get(n)) {
      const component: string[] = [];
      let m: string;
      do {
        m = stack.pop() as string;
        onStack.delete(m);
        component.push(m);
      } while (m !== n);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const n of nodes) if (!index.has(n)) visit(n);
  return found;
}

function folderEdges(): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const [file, imports] of graph) {
    for (const target of imports) {
      const from = folderOf(file);
      const to = folderOf(target);
      if (from === to || to.startsWith('..')) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)?.add(to);
    }
  }
  return edges;
}

/** The `edges` block of docs/architecture.md: `folder → a, b, c` per line. */
function documentedEdges(): Map<string, Set<string>> {
  const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
  const block = /```edges\n([\s\S]*?)```/.exec(doc);
  assert.ok(block, 'docs/architecture.md has an ```edges block listing each folder and what it imports');
  const edges = new Map<string, Set<string>>();
  for (const line of (block[1] as string).split('\n').filter((l) => l.trim() !== '')) {
    const [from, to] = line.split('→').map((part) => part.trim());
    assert.ok(from && to !== undefined, `edges line "${line}" reads "folder → a, b"`);
    edges.set(from, new Set(to === '' || to === '(nothing)' ? [] : to.split(',').map((t) => t.trim())));
  }
  return edges;
}

const show = (edges: Map<string, Set<string>>) =>
  [...edges.keys()]
    .sort()
    .map((from) => `${from} → ${[...(edges.get(from) ?? [])].sort().join(', ')}`)
    .join('\n');

describe('the map stays true', () => {
  it('the folder edges are the ones docs/architecture.md lists', () => {
    const actual = folderEdges();
    const documented = documentedEdges();
    for (const folder of documented.keys()) if (!actual.has(folder)) actual.set(folder, new Set());
    assert.equal(show(actual), show(documented), 'update the ```edges block of docs/architecture.md (or remove the new edge)');
  });

  it('no import circle between folders', () => {
    const edges = folderEdges();
    assert.deepEqual(circles([...edges.keys()], (n) => [...(edges.get(n) ?? [])]), []);
  });

  it('no import circle between files (inside a folder or across)', () => {
    const found = circles(files, (n) => (graph.get(n) ?? []).filter((m) => graph.has(m))).map((c) => c.map(rel));
    assert.deepEqual(found, []);
  });

  it('product code never imports a test-only helper (*.fixture.ts)', () => {
    const offenders = [...graph].flatMap(([file, imports]) => imports.filter((i) => /\.fixture\.ts$/.test(i)).map((i) => `${rel(file)} → ${rel(i)}`));
    assert.deepEqual(offenders, []);
  });

  it('no product file over 400 lines; the file of runGate within 250', () => {
    const lines = (f: string) => readFileSync(f, 'utf8').split('\n').length - 1;
    assert.deepEqual(files.filter((f) => lines(f) > 400).map((f) => `${rel(f)}: ${lines(f)} lines`), []);
    const runner = files.find((f) => /export (async )?function runGate\b/.test(readFileSync(f, 'utf8')));
    assert.ok(runner, 'a file exports runGate');
    assert.ok(lines(runner) <= 250, `${rel(runner)}: ${lines(runner)} lines (≤ 250)`);
  });
});
