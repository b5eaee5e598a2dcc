import { lazyRequire } from '../../common/lazy-require.js';
import { parsePortEntry, type PublishedPort } from './compose-ports.js';

export type { PublishedPort } from './compose-ports.js';

/** Loaded on first use: the driver kinds import the compose files for their names alone (`plan` of a local stack). */
const yamlLibrary = lazyRequire<typeof import('yaml')>('yaml');

/** The parts of one compose service that release-gate reads (`init` and the drivers). */
export interface ComposeService {
  healthcheck?: { test?: string[] | string; disable?: boolean } | undefined;
  /** Built from the project (`build:`): where the app's code is. */
  build?: unknown;
  image?: string | undefined;
  command?: string[] | string | null | undefined;
  /** The services it depends on (`depends_on`, a list or a mapping): the stop order is the reverse. */
  dependsOn?: string[] | undefined;
}

/** What release-gate reads of a compose project: `docker compose config` output, or the files' YAML merged. */
export interface ComposeModel {
  /** Service names, in the file's order. */
  services: string[];
  /** Each service's definition, by name. */
  definitions: Record<string, ComposeService>;
  /** Volumes compose creates (external ones excluded). */
  volumes: string[];
  ports: PublishedPort[];
  /** Services another one waits for with `condition: service_completed_successfully`: one-shot jobs. */
  oneShot: string[];
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Reads `docker compose config` output (JSON for v2, YAML for v1; YAML parses both). */
export function parseComposeModel(text: string): ComposeModel {
  const doc: unknown = yamlLibrary().parse(text);
  if (!isRec(doc)) throw new Error('compose config printed no mapping');
  return composeModelFrom(doc);
}

/** The model of a parsed compose tree; what is not of the expected shape is left out. */
export function composeModelFrom(doc: unknown): ComposeModel {
  const model: ComposeModel = { services: [], definitions: {}, volumes: [], ports: [], oneShot: [] };
  if (!isRec(doc)) return model;
  const oneShot = new Set<string>();
  const svcs = doc['services'];
  if (isRec(svcs)) {
    for (const [name, def] of Object.entries(svcs)) {
      model.services.push(name);
      const svc = isRec(def) ? def : {};
      model.definitions[name] = serviceFrom(svc);
      const list = svc['ports'];
      if (Array.isArray(list)) for (const entry of list) model.ports.push(...parsePortEntry(name, entry));
      const dependsOn = svc['depends_on'];
      if (isRec(dependsOn)) {
        for (const [dep, spec] of Object.entries(dependsOn)) if (isRec(spec) && spec['condition'] === 'service_completed_successfully') oneShot.add(dep);
      }
    }
  }
  const vols = doc['volumes'];
  if (isRec(vols)) {
    for (const [name, def] of Object.entries(vols)) {
      const external = isRec(def) ? def['external'] : undefined;
      if (external === true || isRec(external)) continue;
      model.volumes.push(name);
    }
  }
  model.oneShot = [...oneShot].sort();
  return model;
}

function serviceFrom(def: Rec): ComposeService {
  const out: ComposeService = {};
  const hc = def['healthcheck'];
  if (isRec(hc)) {
    const test = hc['test'];
    out.healthcheck = {
      ...(typeof test === 'string' || isStrings(test) ? { test } : {}),
      ...(typeof hc['disable'] === 'boolean' ? { disable: hc['disable'] } : {}),
    };
  }
  if (def['build'] !== undefined && def['build'] !== null) out.build = def['build'];
  if (typeof def['image'] === 'string') out.image = def['image'];
  const command = def['command'];
  if (typeof command === 'string' || isStrings(command)) out.command = command;
  const dependsOn = def['depends_on'];
  if (isStrings(dependsOn)) out.dependsOn = dependsOn;
  else if (isRec(dependsOn)) out.dependsOn = Object.keys(dependsOn);
  return out;
}

/** A healthcheck that runs: a test, not `NONE`, not disabled. */
export function hasHealthcheck(svc: ComposeService): boolean {
  const test = svc.healthcheck?.test;
  if (svc.healthcheck?.disable) return false;
  return Array.isArray(test) ? test.length > 0 && test[0] !== 'NONE' : Boolean(test);
}

/** The path a service's own healthcheck GETs on a port (`curl -f http://127.0.0.1/nginx-health` → `/nginx-health` on 80). */
export function healthcheckPath(svc: ComposeService, target: number): string | undefined {
  const test = svc.healthcheck?.test;
  const text = Array.isArray(test) ? test.join(' ') : (test ?? '');
  for (const m of text.matchAll(/https?:\/\/(?:localhost|127\.0\.0\.1|\[::1\]|0\.0\.0\.0)(?::(\d+))?(\/[^\s"']*)?/g)) {
    const port = m[1] === undefined ? (m[0].startsWith('https') ? 443 : 80) : Number(m[1]);
    if (port === target) return m[2] ?? '/';
  }
  return undefined;
}
