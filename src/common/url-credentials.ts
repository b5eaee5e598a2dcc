/**
 * Credentials written into URLs (`http://user:pass@host`, `postgres://app:pw@db/app`): secrets
 * like any declared one, found wherever a URL sits in the resolved config (baseUrl, a wait or
 * scenario URL, a healthcheck, an env value), so the redactor knows them before the run prints
 * anything.
 */

/**
 * `scheme://userinfo@`: the userinfo is group 1. It runs to the last `@` before the path (as URL
 * parsers read it), so a careless `p@ss` password is hidden whole. The host's first character is
 * part of the match (not a lookahead: the redactor then searches a block once, not line by line).
 */
export const URL_USERINFO = /\b[A-Za-z][A-Za-z0-9+.-]*:\/\/([^\s/?#@'"<>`]+(?:@[^\s/?#@'"<>`]+)*)@[\w[]/;

export interface UrlCredential {
  /** The userinfo as written in the URL (`user:p%40ss`). */
  userinfo: string;
  /** The user name, decoded. */
  user: string;
  /** The password, decoded; undefined when the URL has none (`https://token@host`: then the user is the secret). */
  password: string | undefined;
}

/** Every URL credential in `value`: a string, or every string inside an object or array. */
export function urlCredentials(value: unknown): UrlCredential[] {
  const found = new Map<string, UrlCredential>();
  const visit = (v: unknown, depth: number): void => {
    if (typeof v === 'string') {
      if (!v.includes('@')) return;
      const re = new RegExp(URL_USERINFO.source, 'g');
      for (let m = re.exec(v); m !== null; m = re.exec(v)) {
        const userinfo = m[1] as string;
        if (!found.has(userinfo)) found.set(userinfo, parseUserinfo(userinfo));
      }
    } else if (v !== null && typeof v === 'object' && depth < 64) {
      for (const item of Array.isArray(v) ? v : Object.values(v)) visit(item, depth + 1);
    }
  };
  visit(value, 0);
  return [...found.values()];
}

/** The texts to hide for one credential: the password (or a lone user) as written and decoded, and the Basic form a client sends. */
export function secretTextsOf(credential: UrlCredential): string[] {
  const { userinfo, user, password } = credential;
  const colon = userinfo.indexOf(':');
  const rawSecret = colon >= 0 ? userinfo.slice(colon + 1) : userinfo;
  const secret = password ?? user;
  const basic = Buffer.from(`${user}:${password ?? ''}`).toString('base64');
  // Not the whole `user:pass`: its leading `user:` alone would read as a partial echo of it (the replay's `-u admin:"$VAR"`).
  return [...new Set([rawSecret, secret, basic])].filter((text) => text !== '');
}

/** `scheme://[REDACTED]@host`: for text printed before a redactor exists (a config error). */
export function maskUrlCredentials(text: string, mask = '[REDACTED]'): string {
  return text.replace(new RegExp(URL_USERINFO.source, 'g'), (whole, userinfo: string) => whole.slice(0, whole.length - userinfo.length - 2) + mask + whole.slice(-2));
}

function parseUserinfo(userinfo: string): UrlCredential {
  const colon = userinfo.indexOf(':');
  const user = decode(colon >= 0 ? userinfo.slice(0, colon) : userinfo);
  const password = colon >= 0 ? decode(userinfo.slice(colon + 1)) : undefined;
  return { userinfo, user, password };
}

/** Percent-decoding as a URL parser does; a malformed escape stays as written. */
function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
