import { BufferedOutput } from '../common/buffered-output.js';
import { formatDuration } from '../common/duration.js';
import { RgConfigError, RgStepError, errorMessage } from '../common/errors.js';
import { hasReleaseLeftovers, type BuiltRelease } from '../model/stack.js';
import type { EarlyContext, StepContext } from './step-kind.js';

/** The previous release being built from a git ref: started early, awaited by the drill. */
export interface PreviousBuild {
  ref: string;
  /** The build's output, kept until the drill's log takes it. */
  output: BufferedOutput;
  startedAt: number;
  /** Set once the build ended (passed or failed). */
  endedAt: number | null;
  /** Never left unhandled: the drill or the teardown reads it. */
  result: Promise<BuiltRelease>;
  /** The drill began while the stability window ran: the build overlapped it. */
  early: boolean;
}

/**
 * Starts building the previous release from `ref` (StackDriver.buildRelease) and puts its removal
 * on the teardown stack: a gate that stops before the drill (or a drill cut short) cancels the
 * build, waits for it and removes what it made. `early`: started when the stability window began.
 */
export function startPreviousBuild(ref: string, ctx: EarlyContext, early: boolean): PreviousBuild {
  const output = new BufferedOutput();
  const stop = new AbortController();
  const abort = () => stop.abort(ctx.signal.reason);
  if (ctx.signal.aborted) abort();
  else ctx.signal.addEventListener('abort', abort, { once: true });
  const startedAt = ctx.clock.now();
  const { driver } = ctx;
  const result = driver.buildRelease
    ? driver.buildRelease(ref, output, stop.signal)
    : Promise.reject(new RgStepError(`The ${driver.name} driver cannot build a release from a git ref (previous.ref "${ref}").`, { hint: 'Give previous.images or previous.env.' }));
  const build: PreviousBuild = { ref, output, startedAt, endedAt: null, early, result };
  // Handled at once (an unhandled rejection would end the process); the drill and the teardown read the outcome later.
  void result.then(
    () => (build.endedAt = ctx.clock.now()),
    () => (build.endedAt = ctx.clock.now()),
  );
  // Its output goes to teardown.log; what it cannot remove fails the teardown (Teardown ❌).
  ctx.onTeardown(`remove the previous release built from git ref "${ref}"`, async (log) => {
    // A build still running removes what it made as it stops: that goes to teardown.log too.
    if (build.endedAt === null) log.line(`previous release from git ref "${ref}": its build is still running, stopped`);
    build.output.redirect(log);
    stop.abort(new Error('the gate is tearing down'));
    ctx.signal.removeEventListener('abort', abort);
    try {
      const outcome = await build.result.then(
        (built) => ({ built, failure: null }),
        (failure: unknown) => ({ built: null, failure }),
      );
      if (outcome.built) await outcome.built.remove(log);
      // A failed build whose own cleanup failed too: tried again here.
      else if (hasReleaseLeftovers(outcome.failure)) await outcome.failure.removeLeftovers(log);
    } finally {
      build.output.detach();
    }
  });
  return build;
}

/**
 * Waits for the previous release's build inside the drill: its output into the drill's log
 * (replayed, then live), the ref, the commit and the tags; how long it took and how much of it the
 * drill waited. A failed build throws, in one line, with its last output in the log above.
 */
export async function awaitPreviousBuild(build: PreviousBuild, ctx: StepContext): Promise<BuiltRelease> {
  const { log, clock } = ctx;
  log.line(`--- previous release from git ref "${build.ref}": build started ${build.early ? 'when the stability window began' : 'by the drill (no stability window in this run)'}, ${formatDuration(clock.now() - build.startedAt)} ago ---`);
  build.output.attach(log);
  const waitFrom = clock.now();
  try {
    const built = await untilAborted(build.result, ctx.signal);
    const took = (build.endedAt ?? clock.now()) - build.startedAt;
    log.line(`previous release: ${built.ref} = ${built.sha}; built in ${formatDuration(took)}, the drill waited ${formatDuration(clock.now() - waitFrom)} for it`);
    log.line(`previous release images: ${Object.entries(built.release.images ?? {}).map(([service, image]) => `${service}=${image}`).join(', ')}`);
    return built;
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    throw new RgStepError(`building it from previous.ref "${build.ref}" failed: ${oneLine(err)}`, { cause: err });
  } finally {
    build.output.detach();
  }
}

/** The promise, or the signal's reason once it aborts (the step's timeout must not wait for a build). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** An error in one line: a config error's issues without its header. */
function oneLine(err: unknown): string {
  if (err instanceof RgConfigError) return err.issues.map((i) => `${i.where}: ${i.message}`).join('; ');
  return errorMessage(err).replace(/\s*\n\s*/g, ' ');
}
