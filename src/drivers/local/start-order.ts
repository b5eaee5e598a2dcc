import { RgStepError } from '../../common/errors.js';
import type { LocalServiceConfig } from './local-service-config.js';

/** The services, each after what it depends on; a dependsOn cycle is an error naming the chain. */
export function startOrder(services: Record<string, LocalServiceConfig>): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, chain: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new RgStepError(`dependsOn cycle: ${[...chain, name].join(' → ')}`);
    state.set(name, 'visiting');
    for (const dep of Object.keys(services[name]?.dependsOn ?? {})) visit(dep, [...chain, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of Object.keys(services)) visit(name, []);
  return order;
}
