/**
 * The order a stack stops in: the reverse of its start order, one level at a time. Level 0 holds
 * the services nothing depends on (nginx, worker), the next level what only they depend on, and
 * so on down to the database: a service never loses a dependency while it is still running.
 * `dependsOn` maps each service to what it depends on; unknown names and cycles are tolerated
 * (a cycle's members stop together, last), since the stack already started this way.
 */
export function stopLevels(dependsOn: Record<string, readonly string[]>): string[][] {
  const names = Object.keys(dependsOn);
  const dependents = new Map<string, Set<string>>(names.map((n) => [n, new Set<string>()]));
  for (const [name, deps] of Object.entries(dependsOn)) for (const dep of deps) if (dep !== name) dependents.get(dep)?.add(name);
  const levels: string[][] = [];
  const stopped = new Set<string>();
  while (stopped.size < names.length) {
    const level = names.filter((n) => !stopped.has(n) && [...(dependents.get(n) ?? [])].every((d) => stopped.has(d)));
    // A cycle: nothing is free of running dependents; stop what is left at once.
    const next = level.length > 0 ? level : names.filter((n) => !stopped.has(n));
    levels.push(next);
    for (const n of next) stopped.add(n);
  }
  return levels;
}
