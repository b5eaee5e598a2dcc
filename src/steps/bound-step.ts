import type { z } from 'zod';
import type { StackCapability } from '../model/stack.js';
import type { EarlyContext, StepBase, StepContext, StepKind, StepOutcome } from './step-kind.js';

/** A step bound to its own kind: the runner calls it without knowing the kind's step type. */
export interface BoundStep {
  run(ctx: StepContext): Promise<StepOutcome>;
  /** Present when the kind can judge a step the gate stopped before (see StepKind.judgeUnreached). */
  judgeUnreached?(ctx: StepContext): Promise<StepOutcome | null>;
  /** Present when the kind has work to start ahead (StepKind.startEarly): starts it, once. */
  startEarly?(ctx: EarlyContext): void;
  /** What the step needs from the driver. */
  needs: readonly StackCapability[];
  /** Why the step as configured cannot run (StepKind.notApplicable), or null. */
  notApplicable: string | null;
  /** The log name with placeholders filled. */
  logName: string;
  /** The config's title, else the kind's. */
  title: string;
}

/** Binds a step to the kind that parsed it: the one place where a kind meets its own step type. */
export function bindStep<S extends z.ZodObject, E>(kind: StepKind<S, E>, step: z.output<S> & StepBase): BoundStep {
  const judge = kind.judgeUnreached;
  const startEarly = kind.startEarly;
  // The early work's promise, kept here between the stability window's start and the step's run.
  let early: Promise<E> | null = null;
  return {
    run: (ctx) => kind.run(step, ctx, early ?? undefined),
    ...(startEarly
      ? {
          startEarly: (ctx: EarlyContext) => {
            early ??= startEarly.call(kind, step, ctx);
          },
        }
      : {}),
    ...(judge ? { judgeUnreached: (ctx: StepContext) => judge.call(kind, step, ctx) } : {}),
    needs: kind.needs?.(step) ?? [],
    notApplicable: kind.notApplicable?.(step) ?? null,
    logName: kind.logName ? kind.logName(step) : step.log,
    title: step.title ?? kind.title(step),
  };
}
