import { randomBytes, timingSafeEqual } from 'node:crypto';

export const CSRF_COOKIE = 'csrftoken';
export const CSRF_HEADER = 'x-csrftoken';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method);
}

export function newCsrfToken(): string {
  return randomBytes(24).toString('base64url');
}

/** What the CSRF check looks at in one request. */
export interface CsrfInput {
  method: string;
  /** Scheme and host the client used, e.g. `http://localhost:8088`. */
  origin: string;
  originHeader: string | undefined;
  referer: string | undefined;
  cookieToken: string | undefined;
  headerToken: string | undefined;
}

function sameOrigin(url: string, expected: string): boolean {
  try {
    const a = new URL(url);
    const b = new URL(expected);
    return a.protocol === b.protocol && a.host === b.host;
  } catch {
    return false;
  }
}

/**
 * Django's CsrfViewMiddleware, as it behaves over HTTPS (the gate's production case):
 * Origin, else Referer, must match the host; then the X-CSRFToken header must equal the
 * csrftoken cookie. Returns the rejection reason, or null when the request passes.
 */
export function csrfFailure(input: CsrfInput): string | null {
  if (isSafeMethod(input.method)) return null;
  if (input.originHeader !== undefined) {
    if (!sameOrigin(input.originHeader, input.origin)) {
      return `Origin checking failed - ${input.originHeader} does not match any trusted origins.`;
    }
  } else if (input.referer === undefined || input.referer === '') {
    return 'Referer checking failed - no Referer.';
  } else if (!sameOrigin(input.referer, input.origin)) {
    return `Referer checking failed - ${input.referer} does not match any trusted origins.`;
  }
  if (!input.cookieToken) return 'CSRF cookie not set.';
  if (!input.headerToken) return 'CSRF token missing.';
  const a = Buffer.from(input.cookieToken);
  const b = Buffer.from(input.headerToken);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return 'CSRF token incorrect.';
  return null;
}
