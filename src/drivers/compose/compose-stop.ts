import type Docker from 'dockerode';
import { signalName } from '../../common/exit-code.js';
import type { OutputSink } from '../../common/output.js';
import { stopLevels } from '../../common/stop-order.js';
import { DEFAULT_STOP_GRACE_MS, type ServiceStop } from '../../model/stack.js';
import { CONTAINER_NUMBER_LABEL, SERVICE_LABEL } from './compose-project.js';

export interface ComposeStopOptions {
  docker: Docker;
  /** The project's containers (compose-containers.ts `list()`). */
  containers: Docker.ContainerInfo[];
  /** Each service's depends_on, from the compose model; services without containers are left out. */
  dependsOn: Record<string, readonly string[]>;
  oneShot: ReadonlySet<string>;
  output: OutputSink;
  signal?: AbortSignal | undefined;
}

/** A container's stop signal as a name: compose writes `SIGINT`, an image may say `INT` or `2`; none is SIGTERM. */
export function stopSignalName(configured: string | undefined): string {
  const value = (configured ?? '').trim();
  if (value === '') return 'SIGTERM';
  if (/^\d+$/.test(value)) return signalName(Number(value)) ?? value;
  const upper = value.toUpperCase();
  return upper.startsWith('SIG') ? upper : `SIG${upper}`;
}

/**
 * The Shutdown check on a compose project, through the Engine API: each container stopped as
 * `docker stop` does, with its own StopSignal and StopTimeout (compose's stop_signal and
 * stop_grace_period land there; 10 s when unset), dependents first, each level at once; timed,
 * then its State.ExitCode read. A stop is a manual stop for the engine: `unless-stopped` and
 * `always` do not restart it.
 */
export async function stopComposeGracefully(opts: ComposeStopOptions): Promise<ServiceStop[]> {
  const byService = new Map<string, Docker.ContainerInfo[]>();
  for (const c of opts.containers) {
    const svc = c.Labels[SERVICE_LABEL];
    if (svc !== undefined) byService.set(svc, [...(byService.get(svc) ?? []), c]);
  }
  const deps = Object.fromEntries([...byService.keys()].map((svc) => [svc, opts.dependsOn[svc] ?? []]));
  const stops: ServiceStop[] = [];
  for (const level of stopLevels(deps)) {
    opts.signal?.throwIfAborted();
    opts.output.line(`stopping ${level.join(', ')}`);
    const stopped = await Promise.all(
      level.flatMap((svc) => {
        const list = byService.get(svc) ?? [];
        return list.map((c) => stopContainer(opts, c, list.length === 1 ? svc : `${svc}-${c.Labels[CONTAINER_NUMBER_LABEL] ?? c.Id.slice(0, 12)}`, opts.oneShot.has(svc)));
      }),
    );
    stops.push(...stopped);
  }
  return stops;
}

async function stopContainer(opts: ComposeStopOptions, info: Docker.ContainerInfo, name: string, oneShot: boolean): Promise<ServiceStop> {
  const container = opts.docker.getContainer(info.Id);
  const before = await container.inspect();
  // The engine's container config has both fields; dockerode's type leaves them out.
  const config: typeof before.Config & { StopSignal?: string; StopTimeout?: number | null } = before.Config;
  const signal = stopSignalName(config.StopSignal);
  const stopTimeout = config.StopTimeout;
  const graceMs = typeof stopTimeout === 'number' && stopTimeout >= 0 ? stopTimeout * 1000 : DEFAULT_STOP_GRACE_MS;
  const base = { service: name, signal, graceMs, ...(oneShot ? { oneShot: true } : {}) };
  if (!before.State.Running) {
    const ran = before.State.FinishedAt !== undefined && !before.State.FinishedAt.startsWith('0001-');
    return { ...base, running: false, exitCode: ran ? before.State.ExitCode : null, stopMs: 0, killed: false };
  }
  const started = Date.now();
  // `t` is the grace the engine waits before its SIGKILL: the container's own, stated explicitly.
  await container.stop({ t: Math.ceil(graceMs / 1000) }).catch((err: { statusCode?: number }) => {
    // 304: it stopped by itself meanwhile; its exit code is read below all the same.
    if (err.statusCode !== 304) throw err;
  });
  const stopMs = Date.now() - started;
  const after = await container.inspect();
  const exitCode = after.State.ExitCode;
  // Exit 137 without SIGKILL as its own stop signal: the engine's SIGKILL at the end of the grace.
  const killed = exitCode === 137 && signal !== 'SIGKILL';
  return { ...base, running: true, exitCode, stopMs, killed };
}
