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
  /** One bit per high 16 bits of a known hash: most positions are rejected without a Map lookup. */
  private readonly filter = new Uint8Array((FILTER_MASK + 1) / 8);
  readonly stats: LiteralMatcherStats = { positions: 0, candidates: 0 };
  /** HASH_BASE^(window-1) mod 2^32: the weight of the code unit leaving the window. */
  private readonly dropFactor: number;

  constructor(options: LiteralMatcherOptions = {}) {
    this.window = options.window ?? 6;
    if (!Number.isInteger(this.window) || this.window < 1) throw new RangeError(`LiteralMatcher window must be a positive integer, got ${this.window}`);
    if (options.partial && options.partial.minPrefix < this.window) {
      throw new RangeError(`LiteralMatcher partial.minPrefix (${options.partial.minPrefix}) must be at least the window (${this.window})`);
    }
    this.partialRule = options.partial;
    this.dropFactor = power(HASH_BASE, this.window - 1);
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
    this.filter[h >>> (35 - FILTER_BITS)]! |= 1 << ((h >>> (32 - FILTER_BITS)) & 7);
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
    this.stats.positions += last + 1;
    // Rolling: each position costs O(1) whatever the window (a capture scans every character).
    const drop = this.dropFactor;
    let h = hashAt(text, 0, w);
    for (let i = 0; i <= last; i++) {
      if (i > 0) h = roll(h, text.charCodeAt(i - 1), text.charCodeAt(i + w - 1), drop);
      // The high bits: a polynomial hash mixes its low bits poorly (bit 0 is the parity of the code units).
      if ((filter[h >>> (35 - FILTER_BITS)]! & (1 << ((h >>> (32 - FILTER_BITS)) & 7))) === 0) continue;
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

/** FNV's 32-bit prime: odd, so the polynomial hash mixes every code unit modulo 2^32. */
const HASH_BASE = 0x01000193;

function hashAt(text: string, at: number, w: number): number {
  // Polynomial hash over code units modulo 2^32, so that roll() can slide it one unit in O(1);
  // collisions only cost a verification.
  let h = 0;
  for (let j = 0; j < w; j++) h = (Math.imul(h, HASH_BASE) + text.charCodeAt(at + j)) | 0;
  // Kept a signed 32-bit integer (a small integer to V8): `>>> 0` made it a heap double and the scan 10× slower.
  return h;
}

/** The hash of the window one unit further: `out` leaves, `into` enters. */
function roll(h: number, out: number, into: number, drop: number): number {
  return (Math.imul((h - Math.imul(out, drop)) | 0, HASH_BASE) + into) | 0;
}

function power(base: number, exp: number): number {
  let p = 1;
  for (let i = 0; i < exp; i++) p = Math.imul(p, base);
  return p;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
