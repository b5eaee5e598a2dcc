import { runGroup } from '../../common/process-group.js';

/** Which compose is installed: the `docker compose` v2 plugin or the legacy `docker-compose` v1. */
export interface ComposeFlavor {
  kind: 'v2' | 'v1';
  version: string;
  /** Program and leading arguments: `docker compose` or `docker-compose`. */
  argv0: [string, ...string[]];
  /** Global flag turning colours off (differs between v1 and v2). */
  noAnsi: string[];
}

/** Finds compose: v2 first (what real users have), then v1, or only the one asked for. Null when none runs. */
export async function detectCompose(
  env: NodeJS.ProcessEnv,
  cwd: string,
  want: 'auto' | 'v2' | 'v1' = 'auto',
): Promise<{ flavor: ComposeFlavor | null; tried: string[] }> {
  const tried: string[] = [];
  if (want !== 'v1') {
    const v2 = await runGroup(['docker', 'compose', 'version', '--short'], { cwd, env, capture: true });
    if (v2.exitCode === 0 && v2.stdout.trim()) {
      return { flavor: { kind: 'v2', version: v2.stdout.trim().replace(/^v/, ''), argv0: ['docker', 'compose'], noAnsi: ['--ansi', 'never'] }, tried };
    }
    tried.push(`docker compose version: ${v2.spawnError?.message ?? v2.tail.at(-1) ?? `exit ${v2.exitCode}`}`);
  }
  if (want === 'v2') return { flavor: null, tried };
  const v1 = await runGroup(['docker-compose', 'version', '--short'], { cwd, env, capture: true });
  if (v1.exitCode === 0 && v1.stdout.trim()) {
    return { flavor: { kind: 'v1', version: v1.stdout.trim(), argv0: ['docker-compose'], noAnsi: ['--no-ansi'] }, tried };
  }
  tried.push(`docker-compose version: ${v1.spawnError?.message ?? v1.tail.at(-1) ?? `exit ${v1.exitCode}`}`);
  return { flavor: null, tried };
}

/**
 * `--profile '*'` (every profile) where compose takes it: verified on 2.26; older v2 and v1 get
 * nothing, and the driver's sweep by label removes what their `down` leaves.
 */
export function profileAllArgs(flavor: ComposeFlavor): string[] {
  if (flavor.kind !== 'v2') return [];
  const [major = 0, minor = 0] = flavor.version.split('.').map((n) => Number.parseInt(n, 10));
  return major > 2 || (major === 2 && minor >= 26) ? ['--profile', '*'] : [];
}
