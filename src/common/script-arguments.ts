import { basename } from 'node:path';

/** Flags whose next argument is a program text in the tools a gate runs (sh/bash -c, node -e, python -c, psql -c…). */
const SCRIPT_FLAGS = new Set(['-c', '-e', '--eval', '--command']);
/** Program-specific ones: node's `-p X` prints what X evaluates to; php's `-r X` runs X. */
const PROGRAM_SCRIPT_FLAGS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['node', new Set(['-p', '--print'])],
  ['nodejs', new Set(['-p', '--print'])],
  ['php', new Set(['-r'])],
]);

/**
 * Indexes of the argv items that are program text, not data: after a script flag (`sh -c X`,
 * `bash -ec X`, `node -e X`, `python manage.py shell -c X`, `psql -c X`), node's `-p X` or php's `-r X`. A value
 * spliced into one of them runs as code; the config loader and the scenario schema refuse it.
 */
export function scriptArgumentIndexes(argv: readonly unknown[]): number[] {
  const program = typeof argv[0] === 'string' ? basename(argv[0]) : '';
  const out: number[] = [];
  for (let i = 0; i < argv.length - 1; i++) {
    const arg = argv[i];
    if (typeof arg !== 'string') continue;
    // Combined short flags ending in c, for shells: `sh -ec 'script'`, `bash -xc …`.
    const shellFlags = /^-[a-z]*c$/.test(arg) && /^(ba|da|z|k|a)?sh$/.test(program);
    if (SCRIPT_FLAGS.has(arg) || shellFlags || PROGRAM_SCRIPT_FLAGS.get(program)?.has(arg)) out.push(i + 1);
  }
  return out;
}
