import { composeDriverKind } from './compose/compose-driver-kind.js';
import type { DriverKind } from './driver-kind.js';
import { externalDriverKind } from './external/external-driver-kind.js';
import { localDriverKind } from './local/local-driver-kind.js';
import { swarmDriverKind } from './swarm/swarm-driver-kind.js';

/** The built-in stack drivers; `stack.driver` picks one. A new driver = one file + one line here. */
export const builtinDrivers: readonly DriverKind[] = [localDriverKind, composeDriverKind, swarmDriverKind, externalDriverKind];
