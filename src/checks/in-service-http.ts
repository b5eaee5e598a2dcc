import { credentialFetch } from '../common/credential-fetch.js';
import type { StackDriver } from '../model/stack.js';
import type { HttpAnswer } from './http-answer.js';

/** Fetches a URL; throws for a network error (the message is the evidence). */
export type HttpProbe = (url: string, headers: Record<string, string>, signal: AbortSignal) => Promise<HttpAnswer>;

/** Bodies kept from a probe: enough to judge a metrics page or an error, bounded in memory. */
const MAX_BODY = 256 * 1024;

/** From this machine, with fetch: what the user's browser or CI sees. */
export const hostProbe: HttpProbe = async (url, headers, signal) => {
  const response = await credentialFetch(url, { headers, signal, redirect: 'manual' });
  const body = (await response.text()).slice(0, MAX_BODY);
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body };
};

/** The HTTP clients a service image may have, in the order they are tried. */
type Client = 'curl' | 'wget' | 'python3' | 'python' | 'node';
const CLIENTS: Client[] = ['curl', 'wget', 'python3', 'python', 'node'];

/*
 * Every client prints the same frame: `RG-STATUS <code>`, `RG-TYPE <content type>`, then the
 * body. URL and headers travel in the environment (RG_URL, RG_HEADERS as `Name: value` lines),
 * so a token never lands on a command line or in a log.
 */
const PY = [
  'import os, sys, urllib.request, urllib.error',
  'req = urllib.request.Request(os.environ["RG_URL"])',
  'for line in filter(None, os.environ.get("RG_HEADERS", "").split("\\n")):',
  '    k, _, v = line.partition(": "); req.add_header(k, v)',
  'try:',
  '    r = urllib.request.urlopen(req, timeout=10)',
  'except urllib.error.HTTPError as e:',
  '    r = e',
  'body = r.read()',
  'sys.stdout.write("RG-STATUS %d\\nRG-TYPE %s\\n" % (r.getcode() if hasattr(r, "getcode") else r.code, r.headers.get("Content-Type", "")))',
  'sys.stdout.flush(); sys.stdout.buffer.write(body)',
].join('\n');
const NODE = [
  'const headers = Object.fromEntries((process.env.RG_HEADERS || "").split("\\n").filter(Boolean).map((l) => [l.slice(0, l.indexOf(": ")), l.slice(l.indexOf(": ") + 2)]));',
  'fetch(process.env.RG_URL, { headers, redirect: "manual", signal: AbortSignal.timeout(10000) }).then(async (r) => {',
  '  process.stdout.write(`RG-STATUS ${r.status}\\nRG-TYPE ${r.headers.get("content-type") || ""}\\n` + (await r.text()));',
  '}, (e) => { console.error(String(e.cause || e)); process.exit(7); });',
].join('\n');
const SCRIPTS: Record<Client, string[]> = {
  // -i prints the status line and headers before the body; the frame is rebuilt from them.
  curl: ['sh', '-c', 'set -f; IFS=\'\n\'; set --; for h in $RG_HEADERS; do set -- "$@" -H "$h"; done; exec curl -sS -i --max-time 10 "$@" "$RG_URL"'],
  wget: ['sh', '-c', 'set -f; IFS=\'\n\'; set --; for h in $RG_HEADERS; do set -- "$@" --header="$h"; done; exec wget -q -S --content-on-error -T 10 -O - "$@" "$RG_URL"'],
  python3: ['python3', '-c', PY],
  python: ['python', '-c', PY],
  node: ['node', '-e', NODE],
};

/**
 * A probe that makes the request from inside a service (container or local process), for
 * endpoints the proxy does not expose: Korrigo's nginx has no /metrics, its backend does.
 * The service's HTTP client is found once (curl, wget, python or node).
 */
export async function inServiceProbe(driver: StackDriver, service: string, signal: AbortSignal): Promise<HttpProbe> {
  const client = await detectClient(driver, service, signal);
  return async (url, headers, requestSignal) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    const { exitCode } = await driver.exec(service, SCRIPTS[client], {
      env: { RG_URL: url, RG_HEADERS: Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\n') },
      signal: requestSignal,
      output: {
        write(chunk, stream) {
          const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
          if (stream === 'stderr') err.push(buffer);
          else if ((size += buffer.length) <= MAX_BODY + 4096) out.push(buffer);
        },
        line(text) {
          err.push(Buffer.from(`${text}\n`));
        },
      },
    });
    const stdout = Buffer.concat(out).toString('utf8');
    const stderr = Buffer.concat(err).toString('utf8');
    const answer = client === 'curl' ? parseRawResponse(stdout) : client === 'wget' ? parseWget(stderr, stdout) : parseFrame(stdout);
    if (!answer) throw new Error(`${client} in ${service}: no HTTP answer (exit ${exitCode}${stderr.trim() ? `: ${stderr.trim().split('\n').at(-1)}` : ''})`);
    return { ...answer, body: answer.body.slice(0, MAX_BODY) };
  };
}

async function detectClient(driver: StackDriver, service: string, signal: AbortSignal): Promise<Client> {
  const found: string[] = [];
  const { exitCode } = await driver.exec(service, ['sh', '-c', `for c in ${CLIENTS.join(' ')}; do command -v "$c" >/dev/null 2>&1 && echo "$c"; done; true`], {
    signal,
    output: { write: (chunk) => void found.push(chunk.toString()), line: () => undefined },
  });
  const first = found.join('').split('\n').map((l) => l.trim()).find((l): l is Client => (CLIENTS as string[]).includes(l));
  if (exitCode !== 0 || !first) {
    throw new Error(`service "${service}" has no HTTP client to probe from (tried ${CLIENTS.join(', ')}); install curl in its image, or probe through the proxy`);
  }
  return first;
}

function parseFrame(text: string): HttpAnswer | null {
  const m = /^RG-STATUS (\d{3})\nRG-TYPE ([^\n]*)\n/.exec(text);
  return m ? { status: Number(m[1]), contentType: m[2] ?? '', body: text.slice(m[0].length) } : null;
}

/** `HTTP/1.1 200 OK` + headers + blank line + body (curl -i); the last header block wins after a 100 Continue. */
export function parseRawResponse(text: string): HttpAnswer | null {
  let rest = text;
  let answer: HttpAnswer | null = null;
  for (;;) {
    const m = /^HTTP\/[\d.]+ (\d{3})[^\n]*\n/.exec(rest);
    if (!m) return answer;
    const end = rest.search(/\r?\n\r?\n/);
    const head = end < 0 ? rest : rest.slice(0, end);
    const type = /^content-type:\s*(.*?)\r?$/im.exec(head)?.[1] ?? '';
    const body = end < 0 ? '' : rest.slice(end).replace(/^\r?\n\r?\n/, '');
    answer = { status: Number(m[1]), contentType: type, body };
    if (!/^HTTP\/[\d.]+ \d{3}/.test(body)) return answer;
    rest = body;
  }
}

/** wget -S writes the headers, indented, to stderr; the body to stdout. */
function parseWget(stderr: string, body: string): HttpAnswer | null {
  const statuses = [...stderr.matchAll(/^\s*HTTP\/[\d.]+ (\d{3})/gm)];
  const last = statuses.at(-1);
  if (!last) return null;
  const type = [...stderr.matchAll(/^\s*Content-Type:\s*(.*?)\r?$/gim)].at(-1)?.[1] ?? '';
  return { status: Number(last[1]), contentType: type, body };
}
