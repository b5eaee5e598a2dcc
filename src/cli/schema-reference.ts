import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

const INSTALLED = join('node_modules', 'release-gate', 'schema', 'release-gate.schema.json');

/**
 * The `$schema` an editor reads in a generated release-gate.yml, valid from the user's folder:
 * the package installed in the project (`node_modules/release-gate/…`, found upward, written
 * relative), else the schema of the running package when it is an installed one (a global
 * install: its own path), else (a development checkout, issue 25) the path a project install
 * gives, never an absolute path into the checkout.
 */
export function schemaReference(cwd: string, packageSchema: string): string {
  for (let dir = cwd; ; dir = dirname(dir)) {
    const candidate = join(dir, INSTALLED);
    if (existsSync(candidate)) return relative(cwd, candidate).split(sep).join('/');
    if (dirname(dir) === dir) break;
  }
  if (packageSchema.split(sep).includes('node_modules') && existsSync(packageSchema)) return packageSchema;
  return INSTALLED.split(sep).join('/');
}
