/**
 * fetch() for URLs that may carry credentials (`http://user:pass@host/`): fetch refuses them
 * ("Request cannot be constructed from a URL that includes credentials"), while curl, browsers
 * and the user's config mean Basic auth. The userinfo moves into an Authorization header (unless
 * the request sets its own), so a gate behind Basic auth works and the URL it logs is bare.
 */
export function credentialFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const { url: bare, authorization } = splitUrlCredentials(url);
  if (authorization === undefined) return fetch(url, init);
  const headers = new Headers(init.headers);
  if (!headers.has('authorization')) headers.set('Authorization', authorization);
  return fetch(bare, { ...init, headers });
}

/** The URL without its userinfo, and the Basic Authorization header it stood for (undefined when it had none). */
export function splitUrlCredentials(url: string): { url: string; authorization: string | undefined } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, authorization: undefined };
  }
  if (parsed.username === '' && parsed.password === '') return { url, authorization: undefined };
  const pair = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString(), authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
}
