import { composeDriverKind } from './compose-driver-kind.js';
import type { DriverKind } from './driver-kind.js';
import { externalDriverKind } from './external-driver-kind.js';
import { localDriverKind } from './local/local-driver-kind.js';
import { swarmDriverKind } from './swarm-driver-kind.js';

/** The built-in stack drivers; `stack.driver` picks one. A new driver = one file + one line here. */
export const builtinDrivers: readonly DriverKind[] = [localDriverKind, composeDriverKind, swarmDriverKind, externalDriverKind] as unknown as readonly DriverKind[];
