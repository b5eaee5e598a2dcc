/**
 * Multi-literal search whose cost per scanned character does not grow with the number of
 * literals, and whose additions cost O(literal length): the redactor learns a secret per
 * cookie or lock token and must not rebuild anything per addition.
 *
 * A q-gram sampling filter in front of a trie. Every literal is at least `window` code
 * units long, so any occurrence contains, at one of the scanned positions (every `step` =
 * window - q + 1 units), a q-gram lying inside its first `window` units; the literal's q-grams
 * at offsets 0…step-1 are indexed (hash → offsets). A scan hashes only the sampled positions
 * (a third of them with the default window of 6), a bit filter rejects almost all, and each
 * remaining candidate start is checked by one walk down a trie of all literals: the walk costs
 * the length of the match, not the number of literals sharing a prefix (a thousand cookies
 * `sessionid…` cost one walk, not a thousand comparisons). Matching is exact, by code unit
 * (no normalisation, no grapheme rules: a redactor must find a secret even when a combining
 * mark follows it).
 */

/** One occurrence found by a scan; `end` is exclusive (`text.slice(start, end)`). */
export interface LiteralMatch {
  start: number;
  end: number;
  /** The literal found (for a partial run, one literal that begins with it). */
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
  /** Shortest literal accepted; also bounds the sampling step. */
  window?: number;
  partial?: PartialRule;
}

/** Work done by scans, for tests that check cost without timing it. */
export interface LiteralMatcherStats {
  /** Text positions hashed (sampled ones only). */
  positions: number;
  /** Candidate starts checked by a trie walk. */
  candidates: number;
}

/** 2^18 bits (32 KiB): fits a core's cache; thousands of literals fill a few per cent of it. */
const FILTER_BITS = 18;
/**
 * Longest q-gram: 4 code units keep chance hits rare even with thousands of random secrets (3
 * let 5,000 of them hit 8 % of positions), and their low bytes pack into one 32-bit integer:
 * the gram is its own exact key, and a scan position costs one 32-bit read and one multiply
 * (a polynomial hash of four multiplies made the scan a third of a capture's time).
 */
const MAX_Q = 4;
/** Offsets are kept as bits of a small integer. */
const MAX_STEP = 30;
/** Longest window: a longer one would need q-grams of more than MAX_Q units to keep the step within MAX_STEP. */
const MAX_WINDOW = MAX_STEP + MAX_Q - 1;

interface TrieNode {
  children: Map<number, TrieNode> | null;
  /** The literal ending here, if any. */
  literal: string | null;
  /** Of the children: the one whose subtree holds the longest literal, and the runner-up's length. */
  bestKey: number;
  bestLen: number;
  bestLiteral: string;
  secondLen: number;
  secondLiteral: string;
}

const node = (): TrieNode => ({ children: null, literal: null, bestKey: -1, bestLen: 0, bestLiteral: '', secondLen: 0, secondLiteral: '' });

/** The sampling index: q-grams of every literal's first `window` code units. */
interface GramIndex {
  step: number;
  /** q-gram hash → bit set of the literal offsets it was seen at. */
  grams: Map<number, number>;
  filter: Uint8Array;
}

export class LiteralMatcher {
  readonly window: number;
  private readonly partialRule: PartialRule | undefined;
  private readonly q: number;
  private readonly index: GramIndex;
  private readonly root = node();
  private readonly literals = new Set<string>();
  private longestLiteral = 0;
  /** Reused for the low bytes of the text scanned. */
  private scratch = new Uint8Array(0);
  /** The same bytes, read four at a time (one unaligned load per position: a third faster than four byte reads). */
  private scratchView = new DataView(this.scratch.buffer);
  readonly stats: LiteralMatcherStats = { positions: 0, candidates: 0 };

  constructor(options: LiteralMatcherOptions = {}) {
    this.window = options.window ?? 6;
    if (!Number.isInteger(this.window) || this.window < 1 || this.window > MAX_WINDOW) {
      throw new RangeError(`LiteralMatcher window must be an integer from 1 to ${MAX_WINDOW}, got ${this.window}`);
    }
    if (options.partial && options.partial.minPrefix < this.window) {
      throw new RangeError(`LiteralMatcher partial.minPrefix (${options.partial.minPrefix}) must be at least the window (${this.window})`);
    }
    this.partialRule = options.partial;
    this.q = Math.min(MAX_Q, this.window);
    // Longer literals would allow a longer stride, but the partial rule must find any
    // leading run of minPrefix (≥ window) units: the stride is the window's.
    this.index = { step: this.window - this.q + 1, grams: new Map<number, number>(), filter: new Uint8Array((1 << FILTER_BITS) / 8) };
  }

  get size(): number {
    return this.literals.size;
  }

  /** The length of the longest literal known (a caller cutting text keeps at least this much back). */
  get longest(): number {
    return this.longestLiteral;
  }

  has(literal: string): boolean {
    return this.literals.has(literal);
  }

  /** Adds a literal; false when it is already known or shorter than the window. */
  add(literal: string): boolean {
    if (literal.length < this.window || this.literals.has(literal)) return false;
    this.literals.add(literal);
    this.longestLiteral = Math.max(this.longestLiteral, literal.length);
    const band = this.index;
    for (let o = 0; o < band.step; o++) {
      const h = gramKey(literal, o, this.q);
      band.grams.set(h, (band.grams.get(h) ?? 0) | (1 << o));
      const f = filterIndex(h);
      band.filter[f >>> 3]! |= 1 << (f & 7);
    }
    let at = this.root;
    for (let d = 0; d < literal.length; d++) {
      const c = literal.charCodeAt(d);
      at.children ??= new Map();
      let next = at.children.get(c);
      if (!next) at.children.set(c, (next = node()));
      // Keep the two children holding the longest literals: the partial rule asks, at each
      // step of a walk, whether a long literal leaves the path there.
      if (c === at.bestKey) {
        if (literal.length > at.bestLen) [at.bestLen, at.bestLiteral] = [literal.length, literal];
      } else if (literal.length > at.bestLen) {
        [at.secondLen, at.secondLiteral] = [at.bestLen, at.bestLiteral];
        [at.bestKey, at.bestLen, at.bestLiteral] = [c, literal.length, literal];
      } else if (literal.length > at.secondLen) [at.secondLen, at.secondLiteral] = [literal.length, literal];
      at = next;
    }
    at.literal = literal;
    return true;
  }

  /**
   * Every occurrence, ordered by start then longest first; overlapping occurrences are all
   * reported. With a partial rule, a position where a long literal does not fully occur
   * reports its longest leading run of at least `minPrefix` code units (one report per run).
   */
  matches(text: string): LiteralMatch[] {
    const out: LiteralMatch[] = [];
    const len = text.length;
    if (this.literals.size === 0 || len < this.window) return out;
    // The low bytes of the code units, in one native copy: typed-array reads run three times
    // as fast as charCodeAt. Literals are indexed by the same low bytes, so a code unit above
    // 255 only adds chance candidates; the walk compares whole code units.
    if (this.scratch.length < len) {
      this.scratch = new Uint8Array(Math.max(len, 2 * this.scratch.length));
      this.scratchView = new DataView(this.scratch.buffer);
    }
    Buffer.from(this.scratch.buffer, this.scratch.byteOffset, len).write(text, 0, len, 'latin1');
    const starts = this.sample(this.scratch, len, this.index);
    for (const s of starts) this.walk(text, s, out);
    return out;
  }

  /** Candidate starts, in increasing order. */
  private sample(b: Uint8Array, len: number, band: GramIndex): number[] {
    const starts: number[] = [];
    const { q } = this;
    const { step, filter, grams } = band;
    let sampled = 0;
    if (q === MAX_Q) {
      // The common case (window ≥ 4): the loop every captured byte goes through.
      const view = this.scratchView;
      for (let p = 0; p + 4 <= len; p += step) {
        // Little-endian: the same packing as gramKey (low byte first).
        const g = view.getInt32(p, true);
        const f = filterIndex(g);
        if ((filter[f >>> 3]! & (1 << (f & 7))) !== 0) this.candidatesAt(p, grams.get(g), step, len, starts);
      }
      sampled = len >= 4 ? Math.floor((len - 4) / step) + 1 : 0;
    } else {
      for (let p = 0; p + q <= len; p += step) {
        sampled++;
        let g = 0;
        for (let j = 0; j < q; j++) g |= b[p + j]! << (8 * j);
        const f = filterIndex(g);
        if ((filter[f >>> 3]! & (1 << (f & 7))) !== 0) this.candidatesAt(p, grams.get(g), step, len, starts);
      }
    }
    this.stats.positions += sampled;
    return starts;
  }

  private candidatesAt(p: number, offsets: number | undefined, step: number, len: number, starts: number[]): void {
    if (offsets === undefined) return;
    // Highest offset first: candidate starts come out in increasing order.
    for (let o = step - 1; o >= 0; o--) {
      if ((offsets & (1 << o)) === 0) continue;
      const s = p - o;
      if (s >= 0 && s + this.window <= len) starts.push(s);
    }
  }

  /**
   * The union of the occurrences accepted by `keep` (all by default), as sorted, disjoint
   * `[start, end)` ranges: a literal that is a prefix of, or overlaps, another cannot leave
   * part of the other visible.
   */
  cover(text: string, keep: (match: LiteralMatch, text: string) => boolean = () => true): [number, number][] {
    return mergeRanges(this.matches(text).filter((m) => keep(m, text)).map((m) => [m.start, m.end]));
  }

  /** Pushes the occurrences starting at `s`, longest first. */
  private walk(text: string, s: number, out: LiteralMatch[]): void {
    this.stats.candidates++;
    const partial = this.partialRule;
    const from = out.length;
    let at = this.root;
    for (let d = 0; ; d++) {
      if (at.literal !== null && d > 0) out.push({ start: s, end: s + d, literal: at.literal, partial: false });
      const c = s + d < text.length ? text.charCodeAt(s + d) : -1;
      const next = c < 0 || at.children === null ? undefined : at.children.get(c);
      if (partial && d >= partial.minPrefix) {
        // A long literal leaving the path here occurs only up to depth d.
        const [len, literal] = at.bestKey !== c ? [at.bestLen, at.bestLiteral] : [at.secondLen, at.secondLiteral];
        if (len >= partial.minLiteralLength) {
          // Never end between the halves of a surrogate pair.
          const k = isHighSurrogate(text.charCodeAt(s + d - 1)) ? d - 1 : d;
          if (k >= partial.minPrefix) out.push({ start: s, end: s + k, literal, partial: true });
        }
      }
      if (!next) break;
      at = next;
    }
    // Pushed shortest first; reported longest first.
    if (out.length - from > 1) {
      const here = out.splice(from).sort((a, b) => b.end - a.end || Number(a.partial) - Number(b.partial));
      for (const m of here) out.push(m);
    }
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

/** The filter bit of a gram: the high bits of a multiplicative (Fibonacci) mix of its packed bytes. */
function filterIndex(gram: number): number {
  return Math.imul(gram, 0x9e3779b1) >>> (32 - FILTER_BITS);
}

/**
 * The low bytes of `q` (≤ 4) code units from `at`, packed little-end first: the scan reads the
 * same bytes from its latin1 copy of the text. Kept a signed 32-bit integer (a small integer
 * to V8): `>>> 0` made it a heap double and the scan 10× slower.
 */
function gramKey(text: string, at: number, q: number): number {
  let g = 0;
  for (let j = 0; j < q; j++) g |= (text.charCodeAt(at + j) & 0xff) << (8 * j);
  return g;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
