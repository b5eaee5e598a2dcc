import { LiteralMatcher, mergeRanges, type LiteralMatch } from './literal-matcher.js';
import { URL_USERINFO } from './url-credentials.js';

export const REDACTED = '[REDACTED]';

/**
 * Replaces known secret values and configured patterns by [REDACTED]. Secrets are learnt
 * as the run goes (generated passwords, tokens captured by the scenario); every artifact
 * and console line passes through redact().
 *
 * Known secrets go to a literal matcher whose cost per character does not grow with their
 * number (a run learns one cookie or lock token per E2E step); configured patterns stay
 * regexes. Every range to hide is found on the original text, then hidden in one pass, so
 * overlapping secrets and pattern values never leave a piece of one visible.
 *
 * The userinfo of any `scheme://user:pass@host` is always hidden, known or not: a URL credential
 * is a secret wherever the URL comes from (a config value, a redirect, a driver's error).
 */
export class Redactor {
  /**
   * Values shorter than 6 characters would blank out ordinary words (a password "prof" in logs
   * full of "prof1"); they are not redacted. A declared secret that short is refused at load
   * unless the config accepts it (`secrets.allowShort`): see short-secret-problems.ts.
   */
  static readonly MIN_SECRET_LENGTH = 6;
  /** A secret at least this long also has its leading characters hidden when a command echoes only them. */
  static readonly PARTIAL_ECHO_MIN_SECRET = 12;
  /** Shortest echoed leading run hidden (see `PARTIAL_ECHO_MIN_SECRET`). */
  static readonly PARTIAL_ECHO_MIN_PREFIX = 6;

  private readonly secrets = new LiteralMatcher({
    window: Redactor.MIN_SECRET_LENGTH,
    partial: { minPrefix: Redactor.PARTIAL_ECHO_MIN_PREFIX, minLiteralLength: Redactor.PARTIAL_ECHO_MIN_SECRET },
  });
  private readonly patterns: RegExp[] = [];
  /** Per pattern, its block finder (see `lineFinder`), or null when the pattern must see every line. */
  private readonly finders: (RegExp | null)[] = [];

  constructor() {
    this.addPattern(URL_USERINFO);
  }

  /** Work done so far by the secret matcher (positions hashed, candidates verified). */
  get matcherStats(): Readonly<{ positions: number; candidates: number }> {
    return this.secrets.stats;
  }

  addSecret(value: string | undefined | null): void {
    if (!value || value.length < Redactor.MIN_SECRET_LENGTH || this.secrets.has(value)) return;
    this.secrets.add(value);
    // Also the URL-encoded form: tokens travel in query strings and cookies.
    const encoded = encodeURIComponent(value);
    if (encoded !== value) this.secrets.add(encoded);
  }

  /**
   * A pattern with capture groups redacts only the groups (`password: (\S+)` keeps
   * `password: `), by position: the same text elsewhere in the match stays (`password for
   * prof1: prof1` keeps the user name). Without groups it redacts the whole match.
   */
  addPattern(pattern: string | RegExp): void {
    const source = typeof pattern === 'string' ? pattern : pattern.source;
    const flags = typeof pattern === 'string' ? '' : pattern.flags.replace(/[gdy]/g, '');
    this.patterns.push(new RegExp(source, `${flags}gd`));
    this.finders.push(lineFinder(source, flags));
  }

  redact(text: string): string {
    const ranges: [number, number][] = this.secrets.size > 0 ? this.secrets.cover(text, isRedactableEcho) : [];
    for (const re of this.patterns) patternRanges(re, text, ranges, 0);
    return hide(text, ranges);
  }

  /**
   * Redacts a block of lines (joined by `\n`) as redact() would each line, in one scan of the
   * known secrets over the whole block (a capture's chunk: one call, not one per line). A line
   * start or end reads to the partial-echo rule as a token boundary either way; patterns still
   * judge line by line, so `^`, `$` and `\s` mean what they mean on one line (a block-wide
   * search first points at the lines that can match: see `lineFinder`).
   */
  redactLines(block: string): string {
    const ranges: [number, number][] = this.secrets.size > 0 ? this.secrets.cover(block, isRedactableEcho) : [];
    this.patterns.forEach((re, i) => patternRangesByLine(re, this.finders[i] ?? null, block, ranges));
    return hide(block, ranges);
  }

  /**
   * `cut` moved back to the start of any known secret running across it, so that text cut
   * there and scanned in two parts never leaves a piece of one visible.
   */
  safeCut(text: string, cut: number): number {
    let at = cut;
    // Latest start first: moving the cut back can only make earlier occurrences straddle it.
    const found = this.secrets.matches(text);
    for (let i = found.length - 1; i >= 0; i--) {
      const m = found[i] as LiteralMatch;
      if (m.start < at && m.end > at) at = m.start;
    }
    return at;
  }

  /** The longest known secret: text cut anywhere keeps at least this much back to never split one unseen. */
  get longestSecret(): number {
    return this.secrets.longest;
  }
}

function hide(text: string, ranges: [number, number][]): string {
  if (ranges.length === 0) return text;
  let out = '';
  let at = 0;
  for (const [start, end] of mergeRanges(ranges)) {
    out += text.slice(at, start) + REDACTED;
    at = end;
  }
  return out + text.slice(at);
}

/** Letters, digits and `_`: what a token is made of, for the boundary rule of partial echoes. */
const WORD_CHAR = /[\p{L}\p{N}_]/u;
/** A leading run that reads like a word (`Password`, `correct`, `ERROR`) is not treated as an echo. */
const PLAIN_WORD = /^(?:\p{L}\p{Ll}*|\p{Lu}+)$/u;

/**
 * A whole secret is always hidden. A leading run of one (at least 6 characters of a secret
 * of at least 12) is hidden only when it stands as its own token, i.e. neither glued to a
 * word character before it nor followed by one (`unknown option '-Mx8Q3k'`), and does not
 * read as a plain word: a secret beginning with "Password" must not blank out every "Password".
 */
function isRedactableEcho(match: LiteralMatch, text: string): boolean {
  if (!match.partial) return true;
  const run = text.slice(match.start, match.end);
  if (PLAIN_WORD.test(run)) return false;
  const before = text[match.start - 1];
  const after = text[match.end];
  const first = run[0] as string;
  const last = run[run.length - 1] as string;
  const startsToken = before === undefined || !WORD_CHAR.test(before) || !WORD_CHAR.test(first);
  const endsToken = after === undefined || !WORD_CHAR.test(after) || !WORD_CHAR.test(last);
  return startsToken && endsToken;
}

/**
 * A pattern's finder over a block of lines: the same pattern with `m` (so `^` and `$` hold at
 * line edges). A line that matches the pattern alone also matches the block at the same place
 * (a block is lines joined by `\n`, which reads as a line edge to `^`, `$` and `\b`), so lines
 * where the finder matches nowhere need no look: a block is searched once, not line by line.
 * Lookarounds see across the `\n` into the next line, which breaks that: such patterns get no
 * finder and run on every line.
 */
function lineFinder(source: string, flags: string): RegExp | null {
  if (/\(\?<?[=!]/.test(source)) return null;
  return new RegExp(source, `${flags.replace('m', '')}mg`);
}

/** Adds the ranges `re` hides in each line of `block`, looking only at lines `finder` points at. */
function patternRangesByLine(re: RegExp, finder: RegExp | null, block: string, ranges: [number, number][]): void {
  for (let at = 0; at <= block.length; ) {
    let start = at;
    if (finder) {
      finder.lastIndex = at;
      const hit = finder.exec(block);
      if (hit === null) return;
      // The line the hit starts in (a hit may run on into later lines: they are looked at next).
      start = hit.index === 0 ? 0 : block.lastIndexOf('\n', hit.index - 1) + 1;
    }
    let nl = block.indexOf('\n', start);
    if (nl < 0) nl = block.length;
    patternRanges(re, block.slice(start, nl), ranges, start);
    at = nl + 1;
  }
}

/** Adds the ranges `re` hides in `text`: its non-empty groups, or the whole match when it has none. */
function patternRanges(re: RegExp, text: string, ranges: [number, number][], offset: number): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0] === '') re.lastIndex++;
    const indices = m.indices;
    if (!indices) continue;
    if (indices.length === 1) {
      const whole = indices[0];
      if (whole && whole[1] > whole[0]) ranges.push([offset + whole[0], offset + whole[1]]);
      continue;
    }
    for (let g = 1; g < indices.length; g++) {
      const span = indices[g];
      if (span && span[1] > span[0]) ranges.push([offset + span[0], offset + span[1]]);
    }
  }
}
