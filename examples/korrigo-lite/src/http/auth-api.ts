import { createHash, randomBytes } from 'node:crypto';
import { verifyPassword } from '../password-hasher.js';
import { serializeCookie } from './cookies.js';
import { CSRF_COOKIE, newCsrfToken } from './csrf-guard.js';
import { MAX_LOGIN_FAILURES } from './login-throttle.js';
import { HttpError, type AuthUser, type RequestContext } from './request-context.js';

export const SESSION_COOKIE = 'sessionid';
const SESSION_SECONDS = 14 * 24 * 3600;
const CSRF_COOKIE_SECONDS = 365 * 24 * 3600;

/** Only a digest of the session key is stored, so a database dump cannot be replayed as cookies. */
function sessionKeyHash(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export async function loadSessionUser(ctx: RequestContext): Promise<AuthUser | null> {
  const key = ctx.cookies.get(SESSION_COOKIE);
  if (!key) return null;
  const { rows } = await ctx.deps.pool.query<AuthUser>(
    `SELECT u.id, u.username, u.role FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.key_hash = $1 AND s.expires_at > now() AND u.is_active`,
    [sessionKeyHash(key)],
  );
  return rows[0] ?? null;
}

/** Like Django's ensure_csrf_cookie: a client without a csrftoken cookie gets one (once per response). */
export function ensureCsrfCookie(ctx: RequestContext): void {
  if (ctx.cookies.get(CSRF_COOKIE)) return;
  if (ctx.setCookies.some((c) => c.startsWith(`${CSRF_COOKIE}=`))) return;
  ctx.setCookies.push(serializeCookie(CSRF_COOKIE, newCsrfToken(), { maxAgeSeconds: CSRF_COOKIE_SECONDS }));
}

/** GET /api/csrf/: sets the csrftoken cookie (the only way to get one before login in the current Korrigo). */
export async function csrfCookie(ctx: RequestContext): Promise<void> {
  ensureCsrfCookie(ctx);
  ctx.json(200, { detail: 'CSRF cookie set' });
}

/** POST /api/login/ {username, password}: Django-style session login; rotates the CSRF token. */
export async function login(ctx: RequestContext): Promise<void> {
  const body = await ctx.jsonBody();
  const username = typeof body['username'] === 'string' ? body['username'] : '';
  const password = typeof body['password'] === 'string' ? body['password'] : '';
  if (username === '' || password === '') {
    throw new HttpError(400, { detail: 'Username and password are required.' });
  }
  const throttleKey = `${ctx.req.socket.remoteAddress ?? '?'}:${username}`;
  if ((await ctx.deps.throttle.failures(throttleKey)) >= MAX_LOGIN_FAILURES) {
    throw new HttpError(429, { detail: 'Too many failed login attempts. Try again later.' });
  }
  const { rows } = await ctx.deps.pool.query<AuthUser & { password_hash: string }>(
    'SELECT id, username, role, password_hash FROM users WHERE username = $1 AND is_active',
    [username],
  );
  const user = rows[0];
  if (!user || !(await verifyPassword(password, user.password_hash))) {
    await ctx.deps.throttle.recordFailure(throttleKey);
    throw new HttpError(401, { detail: 'Invalid credentials.' });
  }
  await ctx.deps.throttle.reset(throttleKey);
  const key = randomBytes(32).toString('base64url');
  await ctx.deps.pool.query(
    `INSERT INTO sessions (key_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))`,
    [sessionKeyHash(key), user.id, SESSION_SECONDS],
  );
  // Login rotates the CSRF token (Django's rotate_token): clients must re-read the cookie.
  ctx.setCookies.push(serializeCookie(CSRF_COOKIE, newCsrfToken(), { maxAgeSeconds: CSRF_COOKIE_SECONDS }));
  ctx.setCookies.push(serializeCookie(SESSION_COOKIE, key, { httpOnly: true, maxAgeSeconds: SESSION_SECONDS }));
  ctx.json(200, { detail: 'Login successful.', user: { id: user.id, username: user.username, role: user.role } });
}

/** POST /api/logout/: deletes the server-side session. */
export async function logout(ctx: RequestContext): Promise<void> {
  const key = ctx.cookies.get(SESSION_COOKIE);
  if (key) await ctx.deps.pool.query('DELETE FROM sessions WHERE key_hash = $1', [sessionKeyHash(key)]);
  ctx.setCookies.push(serializeCookie(SESSION_COOKIE, '', { httpOnly: true, maxAgeSeconds: 0 }));
  ctx.json(200, { detail: 'Logged out.' });
}
