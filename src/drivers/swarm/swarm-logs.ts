import type Docker from 'dockerode';
import { RgStepError } from '../../common/errors.js';
import type { LogsOptions } from '../../model/stack.js';
import { demuxFrames } from '../docker/engine-api.js';

/**
 * The logs of a stack's services through the Engine API (one service, or all prefixed by name),
 * line by line to the output. A named service missing from the stack is a step error; in the
 * all-services dump it is a line.
 */
export async function swarmLogs(
  docker: Docker,
  stack: { name: string; services: Docker.Service[]; names: string[] },
  service: string | undefined,
  opts: LogsOptions,
): Promise<void> {
  for (const name of stack.names) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    const svc = stack.services.find((s) => s.Spec?.Name === `${stack.name}_${name}`);
    if (!svc) {
      opts.output.line(`${name}: no such service in stack ${stack.name}`);
      if (service !== undefined) throw new RgStepError(`Service "${name}" is not in stack ${stack.name}.`);
      continue;
    }
    // follow: false answers one body (a Buffer of multiplexed frames), not a stream.
    const logsOpts = { stdout: true, stderr: true, follow: false, ...(opts.tail !== undefined ? { tail: opts.tail } : {}), ...(opts.signal ? { abortSignal: opts.signal } : {}) };
    const body = (await docker.getService(svc.ID).logs(logsOpts as unknown as { follow: false })) as unknown as Buffer;
    const pending: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
    const prefix = service === undefined ? `${name} | ` : '';
    for (const frame of demuxFrames(Buffer.isBuffer(body) ? body : Buffer.from(String(body)))) {
      const lines = (pending[frame.stream] + frame.chunk.toString('utf8')).split('\n');
      pending[frame.stream] = lines.pop() ?? '';
      if (lines.length > 0) opts.output.write(lines.map((l) => `${prefix}${l}\n`).join(''), frame.stream);
    }
    for (const stream of ['stdout', 'stderr'] as const) if (pending[stream]) opts.output.write(`${prefix}${pending[stream]}\n`, stream);
  }
}
