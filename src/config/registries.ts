import type { DriverKind } from '../drivers/driver-kind.js';
import { builtinDrivers } from '../drivers/driver-registry.js';
import { builtinReporters, type ReporterRegistry } from '../reporters/reporters.js';
import { builtinStepKinds } from '../steps/step-registry.js';
import type { StepKind } from '../steps/step-kind.js';

/** Everything a config can name: step kinds (`do:`), drivers (`stack.driver`), reporters. */
export interface Registries {
  steps: readonly StepKind[];
  drivers: readonly DriverKind[];
  reporters: ReporterRegistry;
}

export const builtinRegistries: Registries = { steps: builtinStepKinds, drivers: builtinDrivers, reporters: builtinReporters };

export function stepKindOf(registries: Registries, name: string): StepKind {
  const kind = registries.steps.find((k) => k.name === name);
  if (!kind) throw new Error(`unknown step kind "${name}"`);
  return kind;
}

export function driverKindOf(registries: Registries, name: string): DriverKind {
  const kind = registries.drivers.find((k) => k.name === name);
  if (!kind) throw new Error(`unknown driver "${name}"`);
  return kind;
}
