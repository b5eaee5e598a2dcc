import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { RgEnvironmentError, errorMessage } from '../../common/errors.js';
import type { ExecOptions, StackEvent } from '../../model/stack.js';
import { JsonLineSplitter, toStackEvent, type EngineEvent } from '../compose/container-status.js';

const PING_TIMEOUT_MS = 5000;
/** What to do when no engine answers: shared by the compose and swarm drivers. */
export const ENGINE_HINT =
  'Start a Docker engine: on Debian, `sudo apt-get install docker.io docker-compose` (or `scripts/docker-engine.sh` of the release-gate repository); elsewhere Docker Desktop or dockerd. Or use the local driver (`stack.driver: local`).';

/** Pings the engine within 5 s; throws RgEnvironmentError (exit 3) naming the socket. */
export async function pingEngine(docker: Docker): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS}ms`)), PING_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    const where = process.env['DOCKER_HOST'] || '/var/run/docker.sock';
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
    if ((kind !== 0 && kind !== 1 && kind !== 2) || body[at + 1] !== 0 || body[at + 2] !== 0 || body[at + 3] !== 0) break;
    const size = body.readUInt32BE(at + 4);
    out.push({ stream: kind === 2 ? 'stderr' : 'stdout', chunk: body.subarray(at + 8, Math.min(body.length, at + 8 + size)) });
    at += 8 + size;
  }
  if (at < body.length) out.push({ stream: 'stdout', chunk: body.subarray(at) });
  return out;
}

/**
 * Streams the engine's container events carrying `label` as StackEvents; `serviceOf` names the
 * service of a container from its labels (undefined: not one of ours, ignored). Returns the stop
 * function, also kept in `open` until called (the driver's close() stops what is left). The
 * stream ends when the engine stops; `services()` still reports the state then.
 */
export async function watchContainerEvents(
  docker: Docker,
  label: string,
  serviceOf: (attrs: Record<string, string>) => string | undefined,
  onEvent: (event: StackEvent) => void,
  open: Set<() => void>,
): Promise<() => void> {
  const stream = (await docker.getEvents({ filters: { type: ['container'], label: [label] } })) as unknown as Readable;
  const splitter = new JsonLineSplitter();
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    let events: unknown[];
    try {
      events = splitter.push(chunk);
    } catch {
      return; // a malformed line from the engine: nothing to report from it
    }
    for (const raw of events) {
      const ev = toStackEvent(raw as EngineEvent, serviceOf);
      if (ev) onEvent(ev);
    }
  });
  stream.on('error', () => {
    /* the stream ends when the engine stops; services() still reports the state */
  });
  const stop = () => {
    open.delete(stop);
    stream.removeAllListeners('data');
    (stream as Readable & { destroy(): void }).destroy();
  };
  open.add(stop);
  return stop;
}
