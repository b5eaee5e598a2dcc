import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { RgEnvironmentError, errorMessage } from '../../common/errors.js';
import type { ExecOptions, StackEvent } from '../../model/stack.js';
import { JsonLineSplitter, toStackEvent, type EngineEvent } from '../compose/container-status.js';
import { LIST_KEY, inspectKey, type EngineReadCache } from './engine-read-cache.js';

const PING_TIMEOUT_MS = 5000;
/** What to do when no engine answers: shared by the compose and swarm drivers. */
export const ENGINE_HINT =
  'Start a Docker engine: on Debian, `sudo apt-get install docker.io docker-compose` (or `scripts/docker-engine.sh` of the release-gate repository); elsewhere Docker Desktop or dockerd. Or use the local driver (`stack.driver: local`).';

/** Pings the engine within 5 s; throws RgEnvironmentError (exit 3) naming where it was sought. */
export async function pingEngine(docker: Docker, where = process.env['DOCKER_HOST'] || '/var/run/docker.sock'): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS}ms`)), PING_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    throw new RgEnvironmentError('RG_DRIVER_UNAVAILABLE', `Docker engine not reachable at ${where} (${errorMessage(err)}).`, ENGINE_HINT, err);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs argv in a container through the Engine API (what `docker compose exec -T` does), streaming
 * its output to the sink: the environment stays off any command line.
 */
export async function execInContainer(docker: Docker, containerId: string, argv: string[], opts: ExecOptions): Promise<{ exitCode: number }> {
  const container = docker.getContainer(containerId);
  const env = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`);
  const exec = await container.exec({ Cmd: argv, Env: env, AttachStdout: true, AttachStderr: true, Tty: false });
  const stream = await exec.start({ hijack: true, stdin: false, Tty: false });
  // demuxStream only calls write(): hand each frame straight to the sink, in order.
  const out = { write: (c: Buffer) => opts.output.write(c, 'stdout') };
  const err = { write: (c: Buffer) => opts.output.write(c, 'stderr') };
  docker.modem.demuxStream(stream, out as unknown as NodeJS.WritableStream, err as unknown as NodeJS.WritableStream);
  await new Promise<void>((resolveDone, rejectDone) => {
    const onAbort = () => {
      stream.destroy();
      rejectDone(opts.signal?.reason ?? new Error('aborted'));
    };
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    stream.on('end', () => resolveDone());
    stream.on('close', () => resolveDone());
    stream.on('error', (e) => rejectDone(e));
  });
  const info = await exec.inspect();
  return { exitCode: info.ExitCode ?? -1 };
}

/**
 * Splits a multiplexed log or attach body (8-byte frame headers: stream, 0, 0, 0, size BE) into
 * its stdout/stderr chunks, in order. A body without headers (a TTY) is one stdout chunk.
 */
export function demuxFrames(body: Buffer): { stream: 'stdout' | 'stderr'; chunk: Buffer }[] {
  const out: { stream: 'stdout' | 'stderr'; chunk: Buffer }[] = [];
  let at = 0;
  while (at + 8 <= body.length) {
    const kind = body[at];
    // 0 stdin, 1 stdout, 2 stderr, 3 the engine's own error (stdcopy's Systemerr).
    if (kind === undefined || kind > 3 || body[at + 1] !== 0 || body[at + 2] !== 0 || body[at + 3] !== 0) break;
    const size = body.readUInt32BE(at + 4);
    out.push({ stream: kind >= 2 ? 'stderr' : 'stdout', chunk: body.subarray(at + 8, Math.min(body.length, at + 8 + size)) });
    at += 8 + size;
  }
  if (at < body.length) out.push({ stream: 'stdout', chunk: body.subarray(at) });
  return out;
}

/**
 * The container events the gate reads, filtered by the engine: a healthcheck's exec_create,
 * exec_start and exec_die were 93–94 % of what it sent. `health_status` matches
 * `health_status: healthy|unhealthy|starting` (the engine matches that one by prefix; checked on
 * Docker 20.10, API 1.41). create and destroy change no StackEvent, but the set of containers.
 */
export const WATCHED_ACTIONS = ['start', 'die', 'restart', 'oom', 'health_status', 'pause', 'unpause', 'kill', 'stop', 'create', 'destroy'];

/**
 * Streams the engine's container events carrying `label` as StackEvents; `serviceOf` names the
 * service of a container from its labels (undefined: not one of ours, ignored). Returns the stop
 * function, also kept in `open` until called (the driver's close() stops what is left). The
 * stream ends when the engine stops; `services()` still reports the state then. With `cache`,
 * each event invalidates its container's reads while the stream is open.
 */
export async function watchContainerEvents(
  docker: Docker,
  label: string,
  serviceOf: (attrs: Record<string, string>) => string | undefined,
  onEvent: (event: StackEvent) => void,
  open: Set<() => void>,
  cache?: EngineReadCache,
): Promise<() => void> {
  const stream = (await docker.getEvents({ filters: { type: ['container'], label: [label], event: WATCHED_ACTIONS } })) as unknown as Readable;
  const detach = cache?.attach() ?? (() => undefined);
  const splitter = new JsonLineSplitter();
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    let events: unknown[];
    try {
      events = splitter.push(chunk);
    } catch {
      // A malformed line from the engine: an event may be lost, so nothing kept can be trusted.
      cache?.invalidateAll();
      return;
    }
    for (const raw of events) {
      const id = (raw as EngineEvent).Actor?.ID;
      if (id !== undefined) cache?.invalidate(inspectKey(id), LIST_KEY);
      else cache?.invalidateAll();
      const ev = toStackEvent(raw as EngineEvent, serviceOf);
      if (ev) onEvent(ev);
    }
  });
  // The stream ends when the engine stops (services() still reports the state): no event will tell a change now.
  stream.on('error', detach);
  stream.on('end', detach);
  stream.on('close', detach);
  const stop = () => {
    open.delete(stop);
    detach();
    stream.removeAllListeners('data');
    (stream as Readable & { destroy(): void }).destroy();
  };
  open.add(stop);
  return stop;
}
