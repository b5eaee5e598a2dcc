import { MANAGED_LABEL } from '../compose/compose-project.js';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How `docker stack deploy` must publish ports and resolve service names on this swarm. */
export interface StackFileOptions {
  /** Stack name: compose's own `name`/`<project>_x` names are dropped so the stack names its networks and volumes. */
  stack: string;
  /** The compose project name `docker compose config` ran with (its `<project>_<key>` names are dropped). */
  project: string;
  /** Image each service runs; a service with `build:` and no `image:` gets the tag the build step gave it. */
  imageFor(service: string, declared: string | undefined): string;
  /** One-shot jobs: never restarted by swarm (condition none), judged by their exit code. */
  oneShot: ReadonlySet<string>;
  /** `host` (default): the task's own port on the node; `ingress`: the routing mesh (needs IPVS). */
  publishMode: 'host' | 'ingress';
  /** `dnsrr` (default): names resolve to the task's address; `vip`: a virtual IP (needs IPVS). */
  endpointMode: 'dnsrr' | 'vip';
}

/** The stack file, and one line per key translated or dropped (written to the up log). */
export interface StackFile {
  doc: Rec;
  notes: string[];
}

/**
 * Keys of a service the compose file format v3.8 (what `docker stack deploy` of engine 20.10
 * reads) accepts. `docker compose config` prints compose-spec keys the v3 loader refuses
 * ("Additional property pull_policy is not allowed"), so anything else is dropped, with a note.
 */
const V3_SERVICE_KEYS = new Set([
  'cap_add', 'cap_drop', 'cgroup_parent', 'command', 'configs', 'credential_spec', 'deploy', 'devices', 'dns', 'dns_search',
  'domainname', 'entrypoint', 'environment', 'expose', 'extra_hosts', 'healthcheck', 'hostname', 'image', 'init', 'ipc',
  'isolation', 'labels', 'logging', 'mac_address', 'networks', 'pid', 'ports', 'privileged', 'read_only', 'secrets',
  'security_opt', 'shm_size', 'stdin_open', 'stop_grace_period', 'stop_signal', 'sysctls', 'tmpfs', 'tty', 'ulimits',
  'user', 'userns_mode', 'volumes', 'working_dir',
]);
/** Keys swarm has no meaning for; their effect is covered elsewhere (the note says how). */
const DROPPED_WHY: Record<string, string> = {
  build: 'built before the deploy by the build step (stack deploy ignores build:)',
  container_name: 'swarm names task containers itself',
  depends_on: 'swarm has no start order: the stack is deployed in waves, each once the conditions of its services hold',
  restart: 'translated to deploy.restart_policy',
  links: 'not supported by swarm; services reach each other by name on the stack network',
  network_mode: 'not supported by swarm services',
};
const HEALTHCHECK_KEYS = new Set(['test', 'interval', 'timeout', 'retries', 'start_period', 'disable']);

/** compose `restart:` → swarm `deploy.restart_policy` (unless-stopped has no swarm equivalent beyond `any`). */
export function restartPolicy(restart: unknown): Rec | null {
  if (typeof restart !== 'string') return null;
  if (restart === 'no') return { condition: 'none' };
  if (restart === 'always' || restart === 'unless-stopped') return { condition: 'any' };
  const m = /^on-failure(?::(\d+))?$/.exec(restart);
  if (m) return m[1] === undefined ? { condition: 'on-failure' } : { condition: 'on-failure', max_attempts: Number(m[1]) };
  return null;
}

/**
 * Turns `docker compose config` output (JSON or YAML, parsed) into a file `docker stack deploy`
 * accepts and runs the same way: images instead of builds, restart policies as deploy policies,
 * ports published on the node, names resolved per task, and release-gate's label on services,
 * task containers and volumes (so `down` can refuse a stack it did not create).
 */
export function toStackFile(config: unknown, opts: StackFileOptions): StackFile {
  if (!isRec(config)) throw new Error('compose config printed no mapping');
  const notes: string[] = [];
  const services: Rec = {};
  const svcs = isRec(config['services']) ? config['services'] : {};
  for (const [name, raw] of Object.entries(svcs)) {
    const def = isRec(raw) ? raw : {};
    const out: Rec = {};
    for (const [key, value] of Object.entries(def)) {
      if (value === null) continue; // `command: null` etc.: compose's "not set", refused by the v3 loader
      if (key in DROPPED_WHY) {
        if (key !== 'build' && key !== 'restart') notes.push(`${name}: ${key} dropped (${DROPPED_WHY[key]})`);
        continue;
      }
      if (!V3_SERVICE_KEYS.has(key)) {
        notes.push(`${name}: ${key} dropped (not in the compose file format stack deploy reads)`);
        continue;
      }
      out[key] = value;
    }
    const declared = typeof def['image'] === 'string' ? def['image'] : undefined;
    const image = opts.imageFor(name, declared);
    if (image !== declared) notes.push(`${name}: runs image ${image} (built by the build step)`);
    out['image'] = image;
    if (Array.isArray(out['ports'])) out['ports'] = out['ports'].map((p) => portEntry(name, p, opts, notes));
    if (Array.isArray(out['volumes'])) out['volumes'] = out['volumes'].map(volumeEntry);
    if (isRec(out['healthcheck'])) {
      out['healthcheck'] = Object.fromEntries(Object.entries(out['healthcheck']).filter(([k]) => HEALTHCHECK_KEYS.has(k)));
    }
    out['labels'] = { ...labelMap(out['labels']), [MANAGED_LABEL]: 'true' };
    const deploy: Rec = isRec(out['deploy']) ? { ...out['deploy'] } : {};
    deploy['labels'] = { ...labelMap(deploy['labels']), [MANAGED_LABEL]: 'true' };
    if (deploy['endpoint_mode'] === undefined) deploy['endpoint_mode'] = opts.endpointMode;
    if (deploy['restart_policy'] === undefined) {
      const policy = opts.oneShot.has(name) ? { condition: 'none' } : restartPolicy(def['restart']);
      if (policy) {
        deploy['restart_policy'] = policy;
        notes.push(`${name}: ${opts.oneShot.has(name) ? 'one-shot job' : `restart: ${String(def['restart'])}`} → deploy.restart_policy.condition: ${String(policy['condition'])}`);
      }
    }
    out['deploy'] = deploy;
    services[name] = out;
  }
  const doc: Rec = { version: '3.8', services };
  for (const section of ['networks', 'volumes', 'secrets', 'configs'] as const) {
    const entries = config[section];
    if (!isRec(entries)) continue;
    const outSection: Rec = {};
    for (const [key, raw] of Object.entries(entries)) {
      const def: Rec = isRec(raw) ? { ...raw } : {};
      // compose computed `<project>_<key>`; without `name` the stack names it `<stack>_<key>`.
      if (def['name'] === `${opts.project}_${key}` && def['external'] !== true) delete def['name'];
      if (section === 'networks') {
        delete def['ipam'];
        if (def['external'] !== true && def['driver'] === undefined) def['driver'] = 'overlay';
      }
      if (section === 'volumes' && def['external'] !== true) def['labels'] = { ...labelMap(def['labels']), [MANAGED_LABEL]: 'true' };
      outSection[key] = def;
    }
    doc[section] = outSection;
  }
  return { doc, notes };
}

function labelMap(labels: unknown): Record<string, string> {
  if (isRec(labels)) return Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v ?? '')]));
  if (Array.isArray(labels)) {
    return Object.fromEntries(labels.map((l) => String(l)).map((l) => [l.split('=')[0] ?? l, l.includes('=') ? l.slice(l.indexOf('=') + 1) : '']));
  }
  return {};
}

function portEntry(service: string, entry: unknown, opts: StackFileOptions, notes: string[]): unknown {
  if (!isRec(entry)) return entry;
  const out: Rec = { target: Number(entry['target']) };
  if (entry['published'] !== undefined && entry['published'] !== '') out['published'] = Number(entry['published']);
  if (entry['protocol'] !== undefined) out['protocol'] = entry['protocol'];
  out['mode'] = opts.publishMode;
  const hostIp = entry['host_ip'];
  if (typeof hostIp === 'string' && hostIp !== '' && hostIp !== '0.0.0.0') {
    notes.push(`${service}: port ${String(out['published'] ?? '')} published on every interface of the node (swarm has no host_ip; was ${hostIp})`);
  }
  return out;
}

function volumeEntry(entry: unknown): unknown {
  if (!isRec(entry)) return entry;
  const out: Rec = { ...entry };
  // compose-spec only: `bind.create_host_path`, an empty `volume: {}`.
  if (isRec(out['bind'])) {
    const bind = { ...out['bind'] };
    delete bind['create_host_path'];
    if (Object.keys(bind).length === 0) delete out['bind'];
    else out['bind'] = bind;
  }
  if (isRec(out['volume']) && Object.keys(out['volume']).length === 0) delete out['volume'];
  return out;
}

/** What a service waits for before it starts: compose's `depends_on` conditions. */
export type StartCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

/** One `docker stack deploy` of the start order: the services it adds, and what must hold first. */
export interface DeployWave {
  services: string[];
  /** Conditions on services of earlier waves that must hold before this wave is deployed. */
  waitFor: { service: string; condition: StartCondition; for: string }[];
}

/**
 * Swarm has no start order, compose has (`depends_on` with conditions): the services are split
 * into waves by dependency depth, each deployed once the conditions of its services hold, as
 * `docker compose up` waits. A stack without `depends_on` is one wave.
 */
export function deployWaves(config: unknown, only?: ReadonlySet<string>): DeployWave[] {
  const svcs = isRec(config) && isRec(config['services']) ? config['services'] : {};
  const names = Object.keys(svcs).filter((n) => only === undefined || only.has(n));
  const deps = new Map<string, { service: string; condition: StartCondition }[]>();
  for (const name of names) {
    const def = svcs[name];
    const raw = isRec(def) ? def['depends_on'] : undefined;
    const list: { service: string; condition: StartCondition }[] = [];
    if (Array.isArray(raw)) for (const d of raw) list.push({ service: String(d), condition: 'service_started' });
    else if (isRec(raw)) {
      for (const [dep, spec] of Object.entries(raw)) {
        const c = isRec(spec) ? spec['condition'] : undefined;
        list.push({ service: dep, condition: c === 'service_healthy' || c === 'service_completed_successfully' ? c : 'service_started' });
      }
    }
    deps.set(name, list.filter((d) => names.includes(d.service)));
  }
  const level = new Map<string, number>();
  const depth = (name: string, seen: Set<string>): number => {
    const known = level.get(name);
    if (known !== undefined) return known;
    if (seen.has(name)) return 0; // a cycle: compose refuses it at config time; never loop here
    seen.add(name);
    const d = Math.max(-1, ...(deps.get(name) ?? []).map((x) => depth(x.service, seen))) + 1;
    level.set(name, d);
    return d;
  };
  for (const name of names) depth(name, new Set());
  const waves: DeployWave[] = [];
  for (const name of names) {
    const l = level.get(name) ?? 0;
    while (waves.length <= l) waves.push({ services: [], waitFor: [] });
    const wave = waves[l] as DeployWave;
    wave.services.push(name);
    for (const d of deps.get(name) ?? []) wave.waitFor.push({ ...d, for: name });
  }
  return waves.filter((w) => w.services.length > 0);
}

/**
 * Each service's image as compose names it: its `image:`, else, for one it builds, compose's
 * tag <project>-<service> (v1: <project>_<service>); `built` when compose builds it.
 */
export function serviceImages(config: unknown, project: string, composeKind: string): Map<string, { image: string; built: boolean }> {
  const services = ((config as { services?: Record<string, { build?: unknown; image?: unknown }> } | null)?.services ?? {});
  const out = new Map<string, { image: string; built: boolean }>();
  for (const [name, svc] of Object.entries(services)) {
    const declared = typeof svc.image === 'string' && svc.image !== '' ? svc.image : null;
    out.set(name, { image: declared ?? `${project}${composeKind === 'v1' ? '_' : '-'}${name}`, built: svc.build !== undefined });
  }
  return out;
}
