import { isDeepStrictEqual } from 'node:util';
import type { ConfigIssue } from '../common/errors.js';
import { interpolateTree } from './interpolate.js';
import { isPlainObject } from './merge.js';
import { yamlLibrary, type Syntax } from './yaml-file.js';

/** One file the config was merged from (the user's, a preset, an `extends` target), for positions. */
export interface SourceFile {
  file: string;
  /** The syntax tree, for positions: parsed on first use when the tree came from the cache. */
  syntax: () => Syntax;
  /** The file's own tree, before merging and interpolation. */
  data: Record<string, unknown>;
}

export type Path = (string | number)[];

export function valueAt(tree: unknown, path: Path): unknown {
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
export const phaseId = (item: unknown) => (isPlainObject(item) && typeof item['id'] === 'string' ? item['id'] : undefined);
export const stepId = (item: unknown) => {
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
export class Origins {
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
