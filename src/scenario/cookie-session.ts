import type { CookieJar } from 'tough-cookie';
import { lazyRequire } from '../common/lazy-require.js';

const toughCookie = lazyRequire<typeof import('tough-cookie')>('tough-cookie');
import type { Redactor } from '../common/redactor.js';
import { isCsrfName } from '../model/credential-probe.js';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The scenario's cookie jar (tough-cookie: domain, path, expiry and Max-Age rules).
 * Every cookie value is registered with the redactor the moment it is received, before
 * any line that could contain it is written: session ids and CSRF tokens are credentials.
 */
export class CookieSession {
  private readonly jar: CookieJar = new (toughCookie().CookieJar)();
  /** The last request answered, to explain a cookie that did not come. */
  lastResponse: { method: string; path: string; status: number } | undefined;
  /** Cookies a login-like request (an unsafe method) set, CSRF ones aside: the session. */
  private readonly sessionNames = new Set<string>();

  constructor(
    private readonly baseUrl: string,
    private readonly redactor: Redactor,
  ) {}

  /** Stores the Set-Cookie headers of a response to url. */
  async store(url: string, setCookies: readonly string[], answered?: { method: string; path: string; status: number }): Promise<void> {
    if (answered) this.lastResponse = answered;
    for (const header of setCookies) {
      // Register the raw value first: a cookie the jar refuses (bad domain) is still a secret.
      const pair = header.split(';', 1)[0] ?? '';
      this.redactor.addSecret(pair.slice(pair.indexOf('=') + 1).trim());
      const name = pair.slice(0, pair.indexOf('=')).trim();
      if (answered && UNSAFE.has(answered.method) && name !== '' && !isCsrfName(name)) this.sessionNames.add(name);
      await this.jar.setCookie(header, url, { ignoreError: true });
    }
  }

  /** The Cookie header to send to url, or undefined when the jar has none for it. */
  async header(url: string): Promise<string | undefined> {
    const value = await this.jar.getCookieString(url);
    return value === '' ? undefined : value;
  }

  /** Names of the session cookies (set by a login-like request) that a request to url carries. */
  async sessionCookiesFor(url: string): Promise<string[]> {
    const sent = await this.jar.getCookies(url);
    return sent.map((c) => c.key).filter((key) => this.sessionNames.has(key));
  }

  /** Value of a cookie the base URL would receive (`{{cookie.csrftoken}}`). */
  get(name: string): string | undefined {
    return this.jar.getCookiesSync(this.baseUrl, { allPaths: true }).find((c) => c.key === name)?.value;
  }

  /** Cookie names the base URL would receive, for error messages. */
  names(): string[] {
    return this.jar.getCookiesSync(this.baseUrl, { allPaths: true }).map((c) => c.key);
  }
}
