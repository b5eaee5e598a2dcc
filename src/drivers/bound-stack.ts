import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { physicalPath } from '../common/confined-path.js';
import type { ConfigIssue } from '../common/errors.js';
import type { StackCapability, StackDriver } from '../model/stack.js';
import type { DriverContext, DriverKind, LockContext, RemovablePath, StackLock } from './driver-kind.js';

/** The `stack:` tree of a config: its driver's name beside the driver's own fields. */
export type StackTree = { driver: string } & Record<string, unknown>;

/**
 * A config's stack bound to its driver kind: every question about the stack asked without
 * handing the stack around (and without casting it to the kind's type at each call).
 */
export interface BoundStack {
  readonly name: string;
  /** A deployment the gate neither starts nor stops. */
  readonly external: boolean;
  describe(): string;
  /** Why the stack cannot offer a capability, or null. */
  notApplicable(capability: StackCapability): string | null;
  create(ctx: DriverContext): Promise<StackDriver>;
  /** The stack's own lock (its project, stack name or state). */
  lock(ctx: LockContext): StackLock;
  /**
   * Everything a run must hold alone: the stack's lock, plus one lock per path it may remove
   * and uses (data dirs always; build outputs when the run builds), keyed by the real path so
   * that two configs naming one folder differently still meet.
   */
  locks(ctx: LockContext, run: { builds: boolean }): StackLock[];
  removes(root: string): RemovablePath[];
  envFile(root: string): string | null;
  declaredServices(): string[] | null;
  check(root: string): ConfigIssue[];
}

/** Binds a stack to its kind; the stack has the kind's own type, so nothing is cast. */
export function bindDriver<S extends z.ZodObject>(kind: DriverKind<S>, stack: z.output<S>): BoundStack {
  const removes = (root: string) => kind.removes?.(stack, root) ?? [];
  const lock = (ctx: LockContext) => kind.lock(stack, ctx);
  return {
    name: kind.name,
    external: kind.external === true,
    describe: () => kind.describe(stack),
    notApplicable: (capability) => kind.notApplicable?.(stack, capability) ?? null,
    create: (ctx) => kind.create(stack, ctx),
    lock,
    locks: (ctx, run) => [
      lock(ctx),
      ...removes(ctx.root)
        .filter((removable) => removable.holds === 'data' || run.builds)
        .map((removable) => pathLock(physicalPath(resolve(removable.base, removable.value)), removable.holds)),
    ],
    removes,
    envFile: (root) => kind.envFile?.(stack, root) ?? null,
    declaredServices: () => kind.declaredServices?.(stack) ?? null,
    check: (root) => kind.check?.(stack, root) ?? [],
  };
}

/**
 * The stack of a config bound to the kind its `driver` names. The registry holds kinds of
 * any stack type; the config schema was built from the same kinds, so a loaded stack has the
 * shape its kind declares (on a raw tree, the kind's methods must guard their accesses).
 */
export function bindStack(registries: { drivers: readonly DriverKind[] }, stack: StackTree): BoundStack {
  const kind = registries.drivers.find((k) => k.name === stack.driver);
  if (!kind) throw new Error(`unknown driver "${stack.driver}"`);
  return bindDriver(kind, stack);
}

function pathLock(physical: string, holds: RemovablePath['holds']): StackLock {
  return { key: `path-${createHash('sha256').update(physical).digest('hex').slice(0, 16)}`, label: `the ${holds === 'data' ? 'data dir' : 'build output'} ${physical}` };
}
