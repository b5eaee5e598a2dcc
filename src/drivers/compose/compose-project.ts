import { createHash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import type { ComposeModel } from './compose-model.js';

/** Label release-gate puts on every container and volume it creates through compose. */
export const MANAGED_LABEL = 'dev.release-gate.managed';
/** Label compose itself puts on everything of a project. */
export const PROJECT_LABEL = 'com.docker.compose.project';
export const SERVICE_LABEL = 'com.docker.compose.service';
export const ONEOFF_LABEL = 'com.docker.compose.oneoff';
/**
 * Set by compose on the containers it creates, never on images. Images compose builds carry the
 * project and service labels, and so does any container started from them elsewhere (a swarm
 * stack reusing `app:local`): without this label such a container is not the project's.
 */
export const CONTAINER_NUMBER_LABEL = 'com.docker.compose.container-number';

/**
 * Default project name: own and stable per checkout, so `down -v` never hits the
 * project compose would derive from the folder name (a developer's own stack).
 * `rg-<folder>-<8 hex of the absolute project dir and files>`.
 */
export function defaultProjectName(projectDir: string, files: readonly string[]): string {
  const absDir = resolve(projectDir);
  const key = [absDir, ...files.map((f) => resolve(absDir, f))].join('\0');
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 8);
  const slug = basename(absDir)
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, 40);
  return slug ? `rg-${slug}-${hash}` : `rg-${hash}`;
}

/** Compose's rule for project names (v2 rejects anything else). */
export function isValidProjectName(name: string): boolean {
  return /^[a-z0-9][a-z0-9_-]*$/.test(name);
}

/**
 * The override file added as the last `-f` on every compose call: it labels each
 * service's containers and each non-external volume as release-gate's, so `down -v`
 * can tell ours from a developer's stack that happens to use the same project name.
 * JSON is valid YAML for both compose versions.
 */
export function managedOverride(model: ComposeModel): string {
  const labels = { [MANAGED_LABEL]: 'true' };
  const doc: Record<string, unknown> = { services: Object.fromEntries(model.services.map((s) => [s, { labels }])) };
  if (model.volumes.length > 0) doc['volumes'] = Object.fromEntries(model.volumes.map((v) => [v, { labels }]));
  return JSON.stringify(doc, null, 2) + '\n';
}
