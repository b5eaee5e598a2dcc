import type { ServiceState } from '../../model/stack.js';

/** The part of an Engine API task (GET /tasks) the swarm driver reads. */
export interface TaskLike {
  ID?: string;
  Slot?: number;
  NodeID?: string;
  CreatedAt?: string;
  Version?: { Index?: number };
  DesiredState?: string;
  Status?: {
    Timestamp?: string;
    State?: string;
    Message?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
  };
}

/** One replica slot of a service: its newest task and what replaced what. */
export interface SlotStatus {
  /** `backend` for a single replica, `backend-2` when the service has several slots. */
  name: string;
  slot: string;
  state: ServiceState;
  /** Exit code of the newest task once it ended (or of the failure it is restarting from); null while it runs. */
  exitCode: number | null;
  /** The newest task's container, when the engine created one. */
  containerId: string | null;
  startedAt: Date | null;
  /** Tasks of this slot that failed (or exited) and were replaced by a newer one: swarm's restarts. */
  replacedFailures: string[];
  /** The newest task's error or message ("task: non-zero exit (1)"), for the logs. */
  message: string;
  taskId: string | null;
  /** The node of the newest task. */
  nodeId: string | null;
}

/** Task states before the container runs (swarm's task lifecycle, docs: "swarm task states"). */
const STARTING = new Set(['new', 'allocated', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting']);
/** Ended by itself or could not run: a replacement after one of these is a restart. */
const FAILED = new Set(['failed', 'rejected', 'complete', 'orphaned']);

const order = (t: TaskLike): [number, number] => [Date.parse(t.CreatedAt ?? '') || 0, t.Version?.Index ?? 0];
const newer = (a: TaskLike, b: TaskLike): number => {
  const [ca, va] = order(a);
  const [cb, vb] = order(b);
  return ca !== cb ? ca - cb : va - vb;
};

function engineDate(value: string | undefined): Date | null {
  if (!value || value.startsWith('0001-01-01')) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * A service's replica slots from its tasks. Swarm never restarts a container: when one exits,
 * the orchestrator starts a new task in the same slot (global services: on the same node). So a
 * restart is a task of the slot that ended failed/complete/rejected with a newer task after it;
 * a task shut down on purpose (an update, a scale-down) is not one; a task lost with its node
 * (still "running" on a node that is down, `downNodes`) and replaced is one. Slots the service wants but
 * has no task for yet (`desired`) are reported as starting.
 */
export function slotStatuses(service: string, tasks: readonly TaskLike[], desired: number | null, downNodes: ReadonlySet<string> = new Set()): SlotStatus[] {
  const bySlot = new Map<string, TaskLike[]>();
  for (const t of tasks) {
    const slot = t.Slot !== undefined && t.Slot > 0 ? String(t.Slot) : (t.NodeID ?? '?');
    bySlot.set(slot, [...(bySlot.get(slot) ?? []), t]);
  }
  for (let n = 1; desired !== null && n <= desired; n++) if (!bySlot.has(String(n))) bySlot.set(String(n), []);
  const slots = [...bySlot.keys()].sort((a, b) => (Number(a) || 0) - (Number(b) || 0) || a.localeCompare(b));
  const several = slots.length > 1;
  return slots.map((slot) => {
    const list = [...(bySlot.get(slot) ?? [])].sort(newer);
    const name = several ? `${service}-${slot}` : service;
    const current = list.at(-1);
    if (current === undefined) {
      return { name, slot, state: 'starting', exitCode: null, containerId: null, startedAt: null, replacedFailures: [], message: 'no task yet', taskId: null, nodeId: null };
    }
    // A task still "running" on a node that is down was lost with its node, then replaced: a restart too.
    const lostWithNode = (t: TaskLike) => t.Status?.State === 'running' && t.NodeID !== undefined && downNodes.has(t.NodeID);
    const replacedFailures = list.slice(0, -1).filter((t) => FAILED.has(t.Status?.State ?? '') || lostWithNode(t)).map((t) => t.ID ?? '');
    const taskState = current.Status?.State ?? '';
    const previous = list.at(-2);
    let state: ServiceState;
    let exitCode: number | null = null;
    if (taskState === 'running') state = 'running';
    else if (STARTING.has(taskState)) {
      // A new task waiting (restart delay) after a failed one: what compose calls "restarting".
      state = previous !== undefined && FAILED.has(previous.Status?.State ?? '') ? 'restarting' : 'starting';
      if (state === 'restarting') exitCode = previous?.Status?.ContainerStatus?.ExitCode ?? null;
    } else if (taskState === 'rejected') state = 'dead';
    else if (taskState === 'complete' || taskState === 'failed' || taskState === 'shutdown') {
      // A failed task whose replacement swarm has not created yet is restarting too, unless the policy said none.
      state = taskState === 'failed' && current.DesiredState === 'running' ? 'restarting' : 'exited';
      exitCode = current.Status?.ContainerStatus?.ExitCode ?? (taskState === 'complete' ? 0 : null);
    } else state = 'unknown';
    return {
      name,
      slot,
      state,
      exitCode,
      containerId: current.Status?.ContainerStatus?.ContainerID || null,
      startedAt: taskState === 'running' ? engineDate(current.Status?.Timestamp) : null,
      replacedFailures,
      message: current.Status?.Err || current.Status?.Message || taskState,
      taskId: current.ID ?? null,
      nodeId: current.NodeID ?? null,
    };
  });
}
