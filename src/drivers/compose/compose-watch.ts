import type Docker from 'dockerode';
import type { StackEvent } from '../../model/stack.js';
import { watchContainerEvents } from '../docker/engine-api.js';
import type { EngineReadCache } from '../docker/engine-read-cache.js';
import { CONTAINER_NUMBER_LABEL, ONEOFF_LABEL, PROJECT_LABEL, SERVICE_LABEL } from './compose-project.js';
import { HealthPoll, healthFromStatus, startHealthPoll } from './health-poll.js';

/**
 * A compose project's events (restarts, exits, health, pause/unpause, kill/stop) as they
 * happen, plus a health poll: Docker turns a paused container unhealthy without an event.
 * `services` limits it to some services; one-off containers (`run`) are not the stack.
 */
export async function watchComposeProject(opts: {
  docker: Docker;
  project: string;
  services: string[] | undefined;
  list: () => Promise<Docker.ContainerInfo[]>;
  onEvent: (event: StackEvent) => void;
  open: Set<() => void>;
  /** Reads kept while the stream is open: each event invalidates its container's. */
  cache?: EngineReadCache;
}): Promise<() => void> {
  const only = opts.services ? new Set(opts.services) : null;
  const serviceOf = (attrs: Record<string, string>) => {
    if (attrs[ONEOFF_LABEL] === 'True' || attrs[CONTAINER_NUMBER_LABEL] === undefined) return undefined;
    const svc = attrs[SERVICE_LABEL];
    return svc !== undefined && (only === null || only.has(svc)) ? svc : undefined;
  };
  const poll = new HealthPoll();
  const stopEvents = await watchContainerEvents(opts.docker, `${PROJECT_LABEL}=${opts.project}`, serviceOf, (event) => {
    poll.noteEvent(event);
    opts.onEvent(event);
  }, opts.open, opts.cache);
  const list = async () =>
    (await opts.list()).flatMap((c) => {
      const service = serviceOf(c.Labels);
      return service === undefined ? [] : [{ id: c.Id, name: (c.Names[0] ?? c.Id).replace(/^\//, ''), service, state: c.State, health: healthFromStatus(c.Status) }];
    });
  const onPolled = (event: StackEvent) => {
    // A change no engine event told (a paused container's health): nothing kept holds.
    opts.cache?.invalidateAll();
    opts.onEvent(event);
  };
  const stopPoll = startHealthPoll({ docker: opts.docker, list, poll, onEvent: onPolled });
  const stop = () => {
    opts.open.delete(stop);
    stopPoll();
    stopEvents();
  };
  opts.open.add(stop);
  return stop;
}
