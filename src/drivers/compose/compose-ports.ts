/** A port a service publishes on the host. */
export interface PublishedPort {
  service: string;
  /** Host address as compose gives it, IPv6 without brackets; '' means all interfaces. */
  hostIp: string;
  /** The host port. */
  published: number;
  /** The container port it forwards to. */
  target: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  /** One port of a range (`8000-8010:80`): compose may pick any free one of it, so nothing fixed to wait on. */
  inRange: boolean;
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A range is capped: `1-65535` must not become 65535 entries. */
const MAX_RANGE = 1000;

/**
 * One `ports:` entry as published host ports, in both compose syntaxes: long (what
 * `docker compose config` prints: `{ target, published, host_ip, protocol }`, published a
 * number or a string) and short (`[host_ip:]published:target[/protocol]`, host_ip may be
 * `[v6]`, published and target may be ranges). A container port alone (`"80"`, `80`, or no
 * `published`) publishes an ephemeral host port: nothing fixed, nothing returned.
 */
export function parsePortEntry(service: string, entry: unknown): PublishedPort[] {
  if (isRec(entry)) {
    const published = entry['published'];
    if (published === undefined || published === null || published === '') return [];
    const protocol = protocolOf(entry['protocol']);
    if (protocol === null) return [];
    const hostIp = typeof entry['host_ip'] === 'string' ? entry['host_ip'] : '';
    return pair(service, hostIp, protocol, String(published), String(entry['target'] ?? ''));
  }
  if (typeof entry !== 'string') return []; // a number: a container port only
  let spec = entry;
  let protocol: PublishedPort['protocol'] = 'tcp';
  const slash = spec.lastIndexOf('/');
  if (slash >= 0) {
    const named = protocolOf(spec.slice(slash + 1));
    if (named === null) return [];
    protocol = named;
    spec = spec.slice(0, slash);
  }
  let hostIp = '';
  const v6 = /^\[([^\]]*)\]:(.*)$/.exec(spec);
  if (v6) {
    hostIp = v6[1] ?? '';
    spec = v6[2] ?? '';
  }
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > (v6 ? 2 : 3)) return [];
  if (parts.length === 3) hostIp = parts[0] ?? '';
  return pair(service, hostIp, protocol, parts[parts.length - 2] ?? '', parts[parts.length - 1] ?? '');
}

function protocolOf(value: unknown): PublishedPort['protocol'] | null {
  if (value === undefined || value === 'tcp') return 'tcp';
  return value === 'udp' || value === 'sctp' ? value : null;
}

/** Host ports paired with container ports: one to one for two ranges of a length, else each to the one target. */
function pair(service: string, hostIp: string, protocol: PublishedPort['protocol'], published: string, target: string): PublishedPort[] {
  const hosts = expandRange(published);
  const targets = expandRange(target);
  if (hosts.length === 0 || targets.length === 0) return [];
  if (targets.length > 1 && targets.length !== hosts.length) return [];
  const inRange = hosts.length > 1 || published.includes('-');
  return hosts.map((port, i) => ({ service, hostIp, published: port, target: (targets.length > 1 ? targets[i] : targets[0]) as number, protocol, inRange }));
}

function expandRange(spec: string): number[] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(spec.trim());
  if (!m) return [];
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from < 1 || to > 65535) return [];
  const out: number[] = [];
  for (let p = from; p <= to && out.length < MAX_RANGE; p++) out.push(p);
  return out;
}
