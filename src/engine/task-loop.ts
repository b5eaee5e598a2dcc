import type { Clock } from '../common/clock.js';

/** How a task, and the loop, ended. */
export type TaskStatus = 'passed' | 'failed' | 'timedout' | 'interrupted';

/** Why a task's signal aborted, as the loop decided it. */
export type AbortReason = 'interrupted' | 'timedout';

export interface TaskAbort {
  /** Aborted on an interrupt, the global deadline or the task's own time limit. */
  signal: AbortSignal;
  /** Why the signal aborted; null while it has not. */
  reason(): AbortReason | null;
}

/** One step of the gate as plain data. The task names its own status; the loop names why it was stopped. */
export interface Task {
  title: string;
  /** Hard time limit of this task; none when the task budgets its own waiting. */
  timeoutMs?: number | null;
  run(abort: TaskAbort): Promise<TaskStatus>;
}

export interface LoopOptions {
  /** Aborted by SIGINT/SIGTERM/SIGHUP/SIGQUIT. */
  interrupt: AbortSignal;
  /** Absolute time (clock.now()) past which the loop stops with `timedout`. */
  deadlineAt?: number | null;
  clock: Clock;
  /** Stop at the first task that does not pass (the main phases); false for log capture. */
  failFast: boolean;
  /** How long a task may take to wind down once aborted before the loop moves on without it. */
  graceMs?: number;
}

export interface LoopResult {
  status: TaskStatus;
  /** Tasks that were started. */
  started: number;
}

const DEFAULT_GRACE_MS = 15_000;

/**
 * Runs tasks in order. One race decides each task's end: the task itself, the interrupt, the
 * global deadline and the task's time limit. The loop holds no step logic: logs, summary,
 * teardown and exit codes live with its callers. `tasks` may be a generator: it can stop
 * yielding (a stability watch that broke) and the loop ends as passed.
 */
export async function runTasks(tasks: Iterable<Task>, opts: LoopOptions): Promise<LoopResult> {
  let started = 0;
  let worst: TaskStatus = 'passed';
  for (const task of tasks) {
    if (opts.interrupt.aborted) return { status: 'interrupted', started };
    if (opts.deadlineAt != null && opts.clock.now() >= opts.deadlineAt) return { status: 'timedout', started };
    started++;
    const status = await runOne(task, opts);
    if (status === 'interrupted' || status === 'timedout') return { status, started };
    if (status !== 'passed') {
      worst = status;
      if (opts.failFast) return { status, started };
    }
  }
  return { status: worst, started };
}

async function runOne(task: Task, opts: LoopOptions): Promise<TaskStatus> {
  const controller = new AbortController();
  let reason: AbortReason | null = null;
  const abort = (why: AbortReason) => {
    if (reason) return;
    reason = why;
    controller.abort(new Error(why));
  };
  const timers = new AbortController();
  const onInterrupt = () => abort('interrupted');
  opts.interrupt.addEventListener('abort', onInterrupt, { once: true });
  const limits = [opts.deadlineAt != null ? opts.deadlineAt - opts.clock.now() : null, task.timeoutMs ?? null].filter((ms): ms is number => ms !== null);
  if (limits.length > 0) {
    opts.clock.sleep(Math.max(0, Math.min(...limits)), timers.signal).then(
      () => abort('timedout'),
      () => undefined,
    );
  }
  const running = task.run({ signal: controller.signal, reason: () => reason }).then(
    (status) => status,
    (): TaskStatus => (reason ?? 'failed'),
  );
  // A task that ignores its signal must not hold the gate: past the grace, the loop moves on.
  const abandoned = new Promise<TaskStatus>((resolve) => {
    const giveUp = () => {
      opts.clock.sleep(opts.graceMs ?? DEFAULT_GRACE_MS, timers.signal).then(
        () => resolve(reason ?? 'interrupted'),
        () => undefined,
      );
    };
    if (controller.signal.aborted) giveUp();
    else controller.signal.addEventListener('abort', giveUp, { once: true });
  });
  try {
    const status = await Promise.race([running, abandoned]);
    // A command killed by the interrupt returns an exit code like any other: it was stopped.
    return reason && status !== 'passed' ? reason : status;
  } finally {
    opts.interrupt.removeEventListener('abort', onInterrupt);
    timers.abort();
  }
}
