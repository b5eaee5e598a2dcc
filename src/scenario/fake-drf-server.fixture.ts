import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny Django/DRF look-alike for the scenario runner's tests: csrftoken cookie on any
 * request without one, session login rotating it, CSRF + Referer checks on unsafe methods,
 * paginated copies with the READY one on page 3 only, lock / annotations / release.
 */
export interface FakeDrfServer {
  baseUrl: string;
  /** Every request seen, in order: `GET /api/exams/1/copies/?page=2`. */
  seen: string[];
  /** Knobs the tests turn. */
  knobs: {
    password: string;
    annotationStatus: number;
    /** Whether page 3 holds a READY copy. */
    readyCopy: boolean;
    /** Status of lock acquisition (201 new, 200 re-acquired). */
    lockStatus: number;
    /** Respond 503 to this many GET /api/exams/ after login before answering. */
    examsFailures: number;
    /** Delay (ms) before answering a request whose `METHOD path` starts with this key. */
    delays: Record<string, number>;
    /** Paths that set no CSRF cookie (a current Korrigo's GET /api/exams/). */
    cookieless: string[];
    /** Paths served without a session (an API left open by mistake). */
    open: string[];
    /** Annotations list shape. */
    listShape: 'list' | 'page';
  };
  lockToken: string | undefined;
  /** The session ids and CSRF tokens handed out, to check they never reach the logs. */
  issuedSecrets: string[];
  reset(): void;
  close(): Promise<void>;
}

interface Copy {
  id: number;
  status: 'READY' | 'GRADED' | 'LOCKED';
}

export async function startFakeDrfServer(): Promise<FakeDrfServer> {
  const sessions = new Set<string>();
  const copies: Copy[] = [];
  const annotations = new Map<number, unknown[]>();
  const state: FakeDrfServer = {
    baseUrl: '',
    seen: [],
    knobs: { password: 'prof-secret-pw', annotationStatus: 201, readyCopy: true, lockStatus: 201, examsFailures: 0, delays: {}, listShape: 'list', cookieless: [], open: [] },
    lockToken: undefined,
    issuedSecrets: [],
    reset() {
      state.lockToken = undefined;
      for (const c of copies) if (c.status === 'LOCKED') c.status = 'READY';
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // fetch keeps connections alive; do not wait for their idle timeout.
        server.closeAllConnections();
      }),
  };
  const fill = () => {
    copies.length = 0;
    for (let id = 1; id <= 5; id++) copies.push({ id, status: 'GRADED' });
    copies.push({ id: 42, status: state.knobs.readyCopy ? 'READY' : 'GRADED' });
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => send(res, 500, { detail: String(err) }));
  });

  const secret = () => {
    const value = randomBytes(16).toString('hex');
    state.issuedSecrets.push(value);
    return value;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    const key = `${method} ${url.pathname}${url.search}`;
    state.seen.push(key);
    const delay = Object.entries(state.knobs.delays).find(([prefix]) => key.startsWith(prefix))?.[1];
    if (delay) {
      // Ends early when the client gives up, so no timer outlives the test.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        res.on('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (res.destroyed) return;
    }
    const body = await readBody(req);
    const cookies = parseCookies(req.headers.cookie);
    const setCookies: string[] = [];
    let csrf = cookies.csrftoken;
    if (!csrf && !state.knobs.cookieless.some((prefix) => url.pathname.startsWith(prefix))) {
      csrf = secret();
      setCookies.push(`csrftoken=${csrf}; Path=/; SameSite=Lax`);
    }
    res.setHeader('Set-Cookie', setCookies);
    const authed = cookies.sessionid !== undefined && sessions.has(cookies.sessionid);

    if (!['GET', 'HEAD', 'OPTIONS'].includes(method)) {
      if (req.headers['x-csrftoken'] !== cookies.csrftoken) return send(res, 403, { detail: 'CSRF Failed: CSRF token missing or incorrect.' });
      if (!String(req.headers.referer ?? '').startsWith(state.baseUrl)) return send(res, 403, { detail: 'CSRF Failed: Referer checking failed.' });
    }

    if (method === 'POST' && url.pathname === '/api/login/') {
      const creds = JSON.parse(body || '{}') as { username?: string; password?: string };
      if (creds.username !== 'prof1' || creds.password !== state.knobs.password) return send(res, 400, { detail: 'Invalid credentials' });
      const sid = secret();
      sessions.add(sid);
      setCookies.push(`sessionid=${sid}; Path=/; HttpOnly`, `csrftoken=${secret()}; Path=/; SameSite=Lax`);
      res.setHeader('Set-Cookie', setCookies);
      return send(res, 200, { username: 'prof1' });
    }
    if (!authed && !state.knobs.open.some((prefix) => url.pathname.startsWith(prefix))) return send(res, 403, { detail: 'Authentication credentials were not provided.' });

    if (method === 'GET' && url.pathname === '/api/exams/') {
      if (state.knobs.examsFailures > 0) {
        state.knobs.examsFailures--;
        return send(res, 503, { detail: 'warming up' });
      }
      return send(res, 200, { count: 1, next: null, previous: null, results: [{ id: 1, name: 'Bac blanc' }] });
    }
    const m = /^\/api\/exams\/(\d+)\/copies\/$/.exec(url.pathname);
    if (method === 'GET' && m) {
      const page = Number(url.searchParams.get('page') ?? '1');
      const size = 2;
      const results = copies.slice((page - 1) * size, page * size);
      const host = req.headers.host ?? '';
      // Page 1 links with the Host header; page 2 like behind a proxy that drops the port.
      const nextHost = page === 1 ? host : host.replace(/:\d+$/, ':1');
      const next = page * size < copies.length ? `http://${nextHost}${url.pathname}?page=${page + 1}` : null;
      return send(res, 200, { count: copies.length, next, previous: null, results });
    }
    const g = /^\/api\/grading\/copies\/(\d+)\/(lock\/|lock\/release\/|annotations\/)$/.exec(url.pathname);
    const copy = g ? copies.find((c) => c.id === Number(g[1])) : undefined;
    if (!g || !copy) return send(res, 404, { detail: 'Not found.' });
    const action = `${method} ${g[2]}`;
    if (action === 'POST lock/') {
      if (copy.status === 'LOCKED') return send(res, 409, { detail: 'Copy is locked by another user.' });
      copy.status = 'LOCKED';
      state.lockToken = secret();
      return send(res, state.knobs.lockStatus, { copy_id: copy.id, status: 'LOCKED', token: state.lockToken, owner: 'prof1', expires_at: '2026-01-01T00:10:00Z', server_time: '2026-01-01T00:00:00Z' });
    }
    const lockOk = state.lockToken !== undefined && req.headers['x-lock-token'] === state.lockToken;
    if (action !== 'GET annotations/' && !lockOk) return send(res, 403, { detail: 'Missing lock token.' });
    if (action === 'POST annotations/') {
      if (state.knobs.annotationStatus !== 201) return send(res, state.knobs.annotationStatus, { detail: 'Copy has no pages.', lock: { token: state.lockToken } });
      const list = annotations.get(copy.id) ?? [];
      list.push(JSON.parse(body) as unknown);
      annotations.set(copy.id, list);
      return send(res, 201, { id: list.length });
    }
    if (action === 'GET annotations/') {
      const list = annotations.get(copy.id) ?? [];
      return send(res, 200, state.knobs.listShape === 'list' ? list : { count: list.length, next: null, previous: null, results: list });
    }
    if (action === 'DELETE lock/release/') {
      state.lockToken = undefined;
      copy.status = 'READY';
      res.writeHead(204).end();
      return;
    }
    return send(res, 405, { detail: `Method "${method}" not allowed.` });
  }

  fill();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const knobs = state.knobs;
  // Re-seed the copies when readyCopy changes.
  state.knobs = new Proxy(knobs, {
    set(target, prop, value) {
      (target as unknown as Record<string | symbol, unknown>)[prop] = value;
      if (prop === 'readyCopy') fill();
      return true;
    },
  });
  return state;
}

function send(res: ServerResponse, status: number, json: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(json));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}
