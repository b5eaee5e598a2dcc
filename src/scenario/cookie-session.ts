import { CookieJar } from 'tough-cookie';
import type { Redactor } from '../common/redactor.js';

/**
 * The scenario's cookie jar (tough-cookie: domain, path, expiry and Max-Age rules).
 * Every cookie value is registered with the redactor the moment it is received, before
 * any line that could contain it is written: session ids and CSRF tokens are credentials.
 */
export class CookieSession {
  private readonly jar = new CookieJar();
  /** The last request answered, to explain a cookie that did not come. */
  lastResponse: { method: string; path: string; status: number } | undefined;

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
      await this.jar.setCookie(header, url, { ignoreError: true });
    }
  }

  /** The Cookie header to send to url, or undefined when the jar has none for it. */
  async header(url: string): Promise<string | undefined> {
    const value = await this.jar.getCookieString(url);
    return value === '' ? undefined : value;
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
