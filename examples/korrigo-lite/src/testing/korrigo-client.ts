/** One HTTP answer, body parsed as JSON when it is JSON. */
export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  // Tests and checks read arbitrary fields of the JSON bodies.
  json: any;
}

/** Options of one request. */
export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Send X-CSRFToken and Referer on unsafe methods, as a browser would (default true). */
  csrf?: boolean;
}

/** A browser-like client: cookie jar, CSRF header and Referer on unsafe requests. */
export class KorrigoClient {
  private readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async request(method: string, pathOrUrl: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${this.baseUrl}${pathOrUrl}`;
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (this.cookies.size > 0) {
      headers['Cookie'] = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(method);
    if (unsafe && options.csrf !== false) {
      const token = this.cookies.get('csrftoken');
      if (token) headers['X-CSRFToken'] = token;
      headers['Referer'] = `${this.baseUrl}/`;
    }
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] = 'application/json';
    }
    const res = await fetch(url, { method, headers, body, redirect: 'manual' });
    for (const setCookie of res.headers.getSetCookie()) {
      const [pair] = setCookie.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(setCookie)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let json: unknown = null;
    if ((res.headers.get('content-type') ?? '').includes('application/json') && text !== '') json = JSON.parse(text);
    return { status: res.status, headers: res.headers, text, json };
  }

  /**
   * The contract's login: a GET first to obtain the csrftoken cookie, then POST /api/login/.
   * The current generation sets no cookie on GET /api/exams/, so GET /api/csrf/ is the fallback.
   */
  async login(username: string, password: string): Promise<ApiResponse> {
    if (!this.cookies.has('csrftoken')) await this.request('GET', '/api/exams/');
    if (!this.cookies.has('csrftoken')) await this.request('GET', '/api/csrf/');
    return this.request('POST', '/api/login/', { body: { username, password } });
  }

  /** Walks the copies pages (following `next`) and returns the first READY copy, or null. */
  async firstReadyCopy(examId: number): Promise<{ copy: { id: number; anonymous_id: string } | null; pages: number }> {
    let next: string | null = `/api/exams/${examId}/copies/`;
    let pages = 0;
    while (next) {
      const res = await this.request('GET', next);
      if (res.status !== 200) throw new Error(`GET ${next} -> ${res.status} ${res.text}`);
      pages++;
      const ready = (res.json.results as { id: number; anonymous_id: string; status: string }[]).find(
        (c) => c.status === 'READY',
      );
      if (ready) return { copy: ready, pages };
      next = res.json.next as string | null;
    }
    return { copy: null, pages };
  }
}
