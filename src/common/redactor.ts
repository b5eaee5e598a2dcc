export const REDACTED = '[REDACTED]';

/**
 * Replaces known secret values and configured patterns by [REDACTED]. Secrets are learnt
 * as the run goes (generated passwords, tokens captured by the scenario); every artifact
 * and console line passes through redact().
 */
export class Redactor {
  private readonly secrets = new Set<string>();
  private readonly patterns: RegExp[] = [];
  private secretsRegex: RegExp | null = null;

  /** Values shorter than 6 characters would blank out ordinary words (a password "prof" in logs full of "prof1"); they are not redacted. */
  static readonly MIN_SECRET_LENGTH = 6;

  addSecret(value: string | undefined | null): void {
    if (!value || value.length < Redactor.MIN_SECRET_LENGTH || this.secrets.has(value)) return;
    this.secrets.add(value);
    // Also the URL-encoded form: tokens travel in query strings and cookies.
    const encoded = encodeURIComponent(value);
    if (encoded !== value) this.secrets.add(encoded);
    this.secretsRegex = null;
  }

  /**
   * A pattern with capture groups redacts only the groups (`password: (\S+)` keeps
   * `password: `); without groups it redacts the whole match.
   */
  addPattern(pattern: string | RegExp): void {
    const re = typeof pattern === 'string' ? new RegExp(pattern, 'g') : new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
    this.patterns.push(re);
  }

  redact(text: string): string {
    let out = text;
    if (this.secrets.size > 0) {
      this.secretsRegex ??= new RegExp(
        [...this.secrets].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'),
        'g',
      );
      out = out.replace(this.secretsRegex, REDACTED);
    }
    for (const re of this.patterns) {
      re.lastIndex = 0;
      out = out.replace(re, (match: string, ...rest: unknown[]) => redactGroups(match, rest));
    }
    return out;
  }
}

function redactGroups(match: string, rest: unknown[]): string {
  // rest = [...groups, offset, input, (namedGroups)]: groups are the leading strings/undefined.
  const groups: (string | undefined)[] = [];
  for (const item of rest) {
    if (typeof item === 'number') break;
    groups.push(item as string | undefined);
  }
  if (groups.length === 0) return REDACTED;
  let out = match;
  for (const group of groups) {
    if (group && group.length > 0 && group !== REDACTED) out = out.split(group).join(REDACTED);
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
