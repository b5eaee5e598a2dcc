/**
 * Multi-literal search whose cost per scanned character does not grow with the number of
 * literals, and whose additions cost O(window): the redactor learns a secret per cookie or
 * lock token and must not rebuild anything per addition.
 *
 * Rabin–Karp over a fixed window: every literal is indexed by a hash of its first
 * `window` UTF-16 code units; a scan hashes each text position once and verifies only the
 * literals whose first `window` code units hash alike. Literals shorter than the window
 * cannot be indexed and are refused. Matching is exact, by code unit (no normalisation,
 * no grapheme rules: a redactor must find a secret even when a combining mark follows it).
 */

/** One occurrence found by a scan; `end` is exclusive (`text.slice(start, end)`). */
export interface LiteralMatch {
  start: number;
  end: number;
  literal: string;
  /** True when only a leading part of the literal occurs here (see `PartialRule`). */
  partial: boolean;
}

/** Also report leading parts of long literals (an error message echoing a secret's first characters). */
export interface PartialRule {
  /** Shortest leading run reported; at least the matcher's window. */
  minPrefix: number;
  /** Only literals at least this long have their leading parts reported. */
  minLiteralLength: number;
}

export interface LiteralMatcherOptions {
  /** Code units hashed per position; also the shortest literal accepted. */
  window?: number;
  partial?: PartialRule;
}

/** Work done by scans, for tests that check cost without timing it. */
export interface LiteralMatcherStats {
  /** Text positions hashed. */
  positions: number;
  /** Literals verified against the text at a position whose hash matched. */
  candidates: number;
}

const FILTER_BITS = 16;
const FILTER_MASK = (1 << FILTER_BITS) - 1;

export class LiteralMatcher {
  readonly window: number;
  private readonly partialRule: PartialRule | undefined;
  /** Window hash → literals starting with code units of that hash. */
  private readonly buckets = new Map<number, string[]>();
  private readonly literals = new Set<string>();
  /** One bit per low 16 bits of a known hash: most positions are rejected without a Map lookup. */
  private readonly filter = new Uint8Array((FILTER_MASK + 1) / 8);
  readonly stats: LiteralMatcherStats = { positions: 0, candidates: 0 };

  constructor(options: LiteralMatcherOptions = {}) {
    this.window = options.window ?? 6;
    if (!Number.isInteger(this.window) || this.window < 1) throw new RangeError(`LiteralMatcher window must be a positive integer, got ${this.window}`);
    if (options.partial && options.partial.minPrefix < this.window) {
      throw new RangeError(`LiteralMatcher partial.minPrefix (${options.partial.minPrefix}) must be at least the window (${this.window})`);
    }
    this.partialRule = options.partial;
  }

  get size(): number {
    return this.literals.size;
  }

  has(literal: string): boolean {
    return this.literals.has(literal);
  }

  /** Adds a literal; false when it is already known or shorter than the window. */
  add(literal: string): boolean {
    if (literal.length < this.window || this.literals.has(literal)) return false;
    this.literals.add(literal);
    const h = hashAt(literal, 0, this.window);
    const bucket = this.buckets.get(h);
    if (bucket) bucket.push(literal);
    else this.buckets.set(h, [literal]);
    this.filter[(h & FILTER_MASK) >>> 3]! |= 1 << (h & 7);
    return true;
  }

  /**
   * Every occurrence, ordered by start then longest first; overlapping occurrences are all
   * reported. With a partial rule, a position where a long literal does not fully occur
   * reports its longest leading run of at least `minPrefix` code units.
   */
  matches(text: string): LiteralMatch[] {
    const out: LiteralMatch[] = [];
    const w = this.window;
    if (this.literals.size === 0 || text.length < w) return out;
    const filter = this.filter;
    const partial = this.partialRule;
    const last = text.length - w;
    for (let i = 0; i <= last; i++) {
      this.stats.positions++;
      const h = hashAt(text, i, w);
      if ((filter[(h & FILTER_MASK) >>> 3]! & (1 << (h & 7))) === 0) continue;
      const bucket = this.buckets.get(h);
      if (!bucket) continue;
      const here: LiteralMatch[] = [];
      for (const literal of bucket) {
        this.stats.candidates++;
        if (text.startsWith(literal, i)) {
          here.push({ start: i, end: i + literal.length, literal, partial: false });
          continue;
        }
        if (!partial || literal.length < partial.minLiteralLength) continue;
        let k = 0;
        const max = Math.min(literal.length, text.length - i);
        while (k < max && text.charCodeAt(i + k) === literal.charCodeAt(k)) k++;
        // Never end between the halves of a surrogate pair.
        if (k > 0 && isHighSurrogate(literal.charCodeAt(k - 1))) k--;
        if (k >= partial.minPrefix) here.push({ start: i, end: i + k, literal, partial: true });
      }
      if (here.length > 1) here.sort((a, b) => b.end - a.end);
      for (const m of here) out.push(m);
    }
    return out;
  }

  /**
   * The union of the occurrences accepted by `keep` (all by default), as sorted, disjoint
   * `[start, end)` ranges: a literal that is a prefix of, or overlaps, another cannot leave
   * part of the other visible.
   */
  cover(text: string, keep: (match: LiteralMatch, text: string) => boolean = () => true): [number, number][] {
    return mergeRanges(this.matches(text).filter((m) => keep(m, text)).map((m) => [m.start, m.end]));
  }
}

/** Sorted, disjoint union of `[start, end)` ranges; touching ranges stay apart. */
export function mergeRanges(ranges: [number, number][]): [number, number][] {
  const sorted = ranges.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const out: [number, number][] = [];
  for (const [s, e] of sorted) {
    const prev = out[out.length - 1];
    if (prev && s < prev[1]) prev[1] = Math.max(prev[1], e);
    else out.push([s, e]);
  }
  return out;
}

function hashAt(text: string, at: number, w: number): number {
  // FNV-1a over code units; any 32-bit mix works, collisions only cost a verification.
  let h = 0x811c9dc5;
  for (let j = 0; j < w; j++) h = Math.imul(h ^ text.charCodeAt(at + j), 0x01000193);
  return h >>> 0;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
