import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pool } from '../db-pool.js';
import type { Settings } from '../settings.js';
import type { LoginThrottle } from './login-throttle.js';
import type { MetricsRegistry } from './metrics-registry.js';

/** What every handler may use. */
export interface AppDeps {
  pool: Pool;
  settings: Settings;
  throttle: LoginThrottle;
  metrics: MetricsRegistry;
  /** One log line to stdout (request lines, ERROR lines of the error-log fault). */
  log: (line: string) => void;
}

/** The logged-in user of a request. */
export interface AuthUser {
  id: number;
  username: string;
  role: 'ADMIN' | 'TEACHER' | 'STUDENT';
}

/** Thrown by handlers to answer early with a JSON error body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(`HTTP ${status}`);
    this.name = 'HttpError';
  }
}

const MAX_BODY_BYTES = 1024 * 1024;

/** One request: parsed URL (absolute, from the Host the client used), cookies, user, and reply helpers. */
export class RequestContext {
  readonly setCookies: string[] = [];
  user: AuthUser | null = null;
  params: string[] = [];

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly url: URL,
    readonly cookies: Map<string, string>,
    readonly deps: AppDeps,
  ) {}

  header(name: string): string | undefined {
    const value = this.req.headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  }

  /** The numeric path parameter at index i (routes only capture \d+). */
  id(i = 0): number {
    return Number(this.params[i]);
  }

  requireUser(): AuthUser {
    if (!this.user) throw new HttpError(403, { detail: 'Authentication credentials were not provided.' });
    return this.user;
  }

  /** Teachers and admins grade; students may not use the grading API. */
  requireGrader(): AuthUser {
    const user = this.requireUser();
    if (user.role === 'STUDENT') {
      throw new HttpError(403, { detail: 'You do not have permission to perform this action.' });
    }
    return user;
  }

  async jsonBody(): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of this.req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) throw new HttpError(413, { detail: 'Request body too large.' });
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8').trim();
    if (text === '') return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new HttpError(400, { detail: `JSON parse error - ${(err as Error).message}` });
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new HttpError(400, { detail: 'Invalid data. Expected a dictionary.' });
    }
    return parsed as Record<string, unknown>;
  }

  json(status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.send(status, JSON.stringify(body), { 'Content-Type': 'application/json', ...headers });
  }

  text(status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
    this.send(status, body, { 'Content-Type': contentType });
  }

  empty(status: number): void {
    this.send(status, '', {});
  }

  private send(status: number, body: string, headers: Record<string, string>): void {
    if (this.setCookies.length > 0) this.res.setHeader('Set-Cookie', this.setCookies);
    this.res.writeHead(status, { ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
    this.res.end(this.req.method === 'HEAD' ? undefined : body);
  }
}
