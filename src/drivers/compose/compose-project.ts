import { createHash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import { lazyRequire } from '../../common/lazy-require.js';

/** Loaded on first use: the driver kinds import this file for its names alone (`plan` of a local stack). */
const yamlLibrary = lazyRequire<typeof import('yaml')>('yaml');

/** Label release-gate puts on every container and volume it creates through compose. */
export const MANAGED_LABEL = 'dev.release-gate.managed';
/** Label compose itself puts on everything of a project. */
export const PROJECT_LABEL = 'com.docker.compose.project';
export const SERVICE_LABEL = 'com.docker.compose.service';
export const ONEOFF_LABEL = 'com.docker.compose.oneoff';
/**
 * Set by compose on the containers it creates, never on images. Images compose builds carry the
 * project and service labels, and so does any container started from them elsewhere (a swarm
 * stack reusing `app:local`): without this label such a container is not the project's.
 */
export const CONTAINER_NUMBER_LABEL = 'com.docker.compose.container-number';

/**
 * Default project name: own and stable per checkout, so `down -v` never hits the
 * project compose would derive from the folder name (a developer's own stack).
 * `rg-<folder>-<8 hex of the absolute project dir and files>`.
 */
export function defaultProjectName(projectDir: string, files: readonly string[]): string {
  const absDir = resolve(projectDir);
  const key = [absDir, ...files.map((f) => resolve(absDir, f))].join('\0');
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 8);
  const slug = basename(absDir)
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, 40);
  return slug ? `rg-${slug}-${hash}` : `rg-${hash}`;
}

/** Compose's rule for project names (v2 rejects anything else). */
export function isValidProjectName(name: string): boolean {
  return /^[a-z0-9][a-z0-9_-]*$/.test(name);
}

/** A port a service publishes on the host. */
export interface PublishedPort {
  service: string;
  /** Host address; '' means all interfaces. */
  hostIp: string;
  port: number;
  protocol: 'tcp' | 'udp';
}

/** What the driver needs from `compose config`. */
export interface ComposeModel {
  services: string[];
  /** Volumes compose creates (external ones excluded). */
  volumes: string[];
  ports: PublishedPort[];
  /** Services another one waits for with `condition: service_completed_successfully`: one-shot jobs. */
  oneShot: string[];
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses one `ports:` entry, long (v2 config output) or short (`127.0.0.1:8088:80/tcp`) syntax. */
export function parsePortEntry(service: string, entry: unknown): PublishedPort[] {
  if (isRec(entry)) {
    const published = entry['published'];
    if (published === undefined || published === null || published === '') return [];
    const protocol = entry['protocol'] === 'udp' ? 'udp' : 'tcp';
    const hostIp = typeof entry['host_ip'] === 'string' ? entry['host_ip'] : '';
    return expandRange(String(published)).map((port) => ({ service, hostIp, port, protocol }));
  }
  if (typeof entry === 'number') return []; // container port only: an ephemeral host port
  if (typeof entry !== 'string') return [];
  let spec = entry;
  let protocol: 'tcp' | 'udp' = 'tcp';
  const slash = spec.lastIndexOf('/');
  if (slash >= 0) {
    protocol = spec.slice(slash + 1) === 'udp' ? 'udp' : 'tcp';
    spec = spec.slice(0, slash);
  }
  // [host_ip:]host_port:container_port, host_ip may be [v6]
  let hostIp = '';
  const v6 = /^\[([^\]]*)\]:(.*)$/.exec(spec);
  if (v6) {
    hostIp = v6[1] ?? '';
    spec = v6[2] ?? '';
  }
  const parts = spec.split(':');
  if (parts.length < 2) return [];
  if (parts.length >= 3 && !v6) hostIp = parts[0] ?? '';
  const hostPart = parts[parts.length - 2] ?? '';
  if (hostPart === '') return [];
  return expandRange(hostPart).map((port) => ({ service, hostIp, port, protocol }));
}

function expandRange(spec: string): number[] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(spec.trim());
  if (!m) return [];
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  const out: number[] = [];
  for (let p = from; p <= to && out.length < 1000; p++) out.push(p);
  return out;
}

/** Reads `docker compose config` output (JSON for v2, YAML for v1; YAML parses both). */
export function parseComposeModel(text: string): ComposeModel {
  const doc: unknown = yamlLibrary().parse(text);
  if (!isRec(doc)) throw new Error('compose config printed no mapping');
  const services: string[] = [];
  const ports: PublishedPort[] = [];
  const oneShot = new Set<string>();
  const svcs = doc['services'];
  if (isRec(svcs)) {
    for (const [name, def] of Object.entries(svcs)) {
      services.push(name);
      const list = isRec(def) ? def['ports'] : undefined;
      if (Array.isArray(list)) for (const entry of list) ports.push(...parsePortEntry(name, entry));
      const dependsOn = isRec(def) ? def['depends_on'] : undefined;
      if (isRec(dependsOn)) {
        for (const [dep, spec] of Object.entries(dependsOn)) if (isRec(spec) && spec['condition'] === 'service_completed_successfully') oneShot.add(dep);
      }
    }
  }
  const volumes: string[] = [];
  const vols = doc['volumes'];
  if (isRec(vols)) {
    for (const [name, def] of Object.entries(vols)) {
      const external = isRec(def) ? def['external'] : undefined;
      if (external === true || isRec(external)) continue;
      volumes.push(name);
    }
  }
  return { services, volumes, ports, oneShot: [...oneShot].sort() };
}

/**
 * The override file added as the last `-f` on every compose call: it labels each
 * service's containers and each non-external volume as release-gate's, so `down -v`
 * can tell ours from a developer's stack that happens to use the same project name.
 * JSON is valid YAML for both compose versions.
 */
export function managedOverride(model: ComposeModel): string {
  const labels = { [MANAGED_LABEL]: 'true' };
  const doc: Rec = { services: Object.fromEntries(model.services.map((s) => [s, { labels }])) };
  if (model.volumes.length > 0) doc['volumes'] = Object.fromEntries(model.volumes.map((v) => [v, { labels }]));
  return JSON.stringify(doc, null, 2) + '\n';
}
