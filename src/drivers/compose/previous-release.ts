import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import Docker from 'dockerode';
import { gitRefProblem } from '../../common/git-ref.js';
import { RgConfigError, RgEnvironmentError, RgStepError, errorMessage } from '../../common/errors.js';
import type { OutputSink } from '../../common/output.js';
import { runGroup, type ProcessResult } from '../../common/process-group.js';
import type { BuiltRelease } from '../../model/stack.js';
import { ComposeCommand, type ComposeCommandOptions } from './compose-command.js';
import { PROJECT_LABEL } from './compose-project.js';

/** What building a previous release needs from the candidate's compose driver. */
export interface PreviousReleaseOptions extends ComposeCommandOptions {
  docker: Docker;
}

/** `<project>-previous-<service>:<short sha>`: never the candidate's fixed `image:` names. */
export function previousImageTag(projectName: string, service: string, sha: string): string {
  return `${projectName}-previous-${service.toLowerCase().replace(/[^a-z0-9_.-]/g, '-')}:${sha.slice(0, 12)}`;
}

const configIssue = (message: string) => new RgConfigError([{ where: 'previous.ref', message }]);

/**
 * The project as it was at `ref`, built apart from the candidate: a detached `git worktree` in a
 * folder of our own, that tree's own compose files (the candidate's file names), compose's build
 * under a project name of its own with every built service tagged `<project>-previous-<service>:
 * <sha>`. The returned release runs those tags (`up --no-build`); `remove` deletes the tags, the
 * worktree and its folder. Aborted or failed, nothing is left behind.
 */
export async function buildPreviousRelease(opts: PreviousReleaseOptions, ref: string, output: OutputSink, signal: AbortSignal): Promise<BuiltRelease> {
  const problem = gitRefProblem(ref);
  if (problem) throw configIssue(`${JSON.stringify(ref)} is refused: ${problem}`);
  const projectDir = resolve(opts.projectDir);
  const top = await git(['rev-parse', '--show-toplevel'], projectDir, signal);
  if (top.exitCode !== 0) throw configIssue(`"${ref}" cannot be resolved: ${projectDir} is not in a git repository (tried \`git rev-parse --show-toplevel\` there: ${lastLine(top)})`);
  const repo = top.stdout.trim();
  const resolved = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], repo, signal);
  if (resolved.exitCode !== 0) throw configIssue(`"${ref}" does not name a commit of ${repo} (tried \`git rev-parse --verify ${ref}^{commit}\`; fetch the tag, or give a branch, tag or sha)`);
  const sha = resolved.stdout.trim();
  output.line(`previous release: git ref "${ref}" → commit ${sha} (repository ${repo})`);

  const own = await mkdtemp(join(tmpdir(), 'release-gate-previous-'));
  const tree = join(own, 'tree');
  const images: string[] = [];
  let command: ComposeCommand | null = null;
  let removed = false;
  const remove = async (out: OutputSink) => {
    if (removed) return;
    removed = true;
    await command?.close();
    await removeImages(opts.docker, images, out);
    await removeWorktree(repo, tree, own, out);
  };
  try {
    const added = await git(['worktree', 'add', '--detach', tree, sha], repo, signal, output);
    if (added.exitCode !== 0) throw new RgStepError(`previous.ref "${ref}": \`git worktree add --detach ${tree} ${sha}\` exited with ${added.exitCode} (last: ${lastLine(added)}).`);
    output.line(`worktree: ${tree} (detached at ${sha.slice(0, 12)})`);
    // The candidate's project folder and compose file names, inside the ref's tree.
    const inRepo = relative(repo, projectDir);
    const dir = inRepo === '' ? tree : join(tree, inRepo);
    const missing = opts.files.map((file) => resolve(dir, file)).filter((file) => !file.startsWith(tree + sep) || !existsSync(file));
    if (missing.length > 0) throw configIssue(`"${ref}" (${sha.slice(0, 12)}) has no ${missing.join(', ')}: the previous release is built from its own compose file(s), named as stack.file`);
    command = new ComposeCommand({ ...opts, projectDir: dir, projectName: `${opts.projectName}-previous`, envFile: opts.envFile === undefined ? undefined : resolve(projectDir, opts.envFile) });
    const model = await command.loadModel();
    const built = model.services.filter((service) => model.definitions[service]?.build !== undefined);
    if (built.length === 0) throw configIssue(`"${ref}" (${sha.slice(0, 12)}): its compose file builds no service, there is nothing to build (give previous.images)`);
    const tags = Object.fromEntries(built.map((service) => [service, previousImageTag(opts.projectName, service, sha)]));
    images.push(...Object.values(tags));
    await command.useRelease({ images: tags });
    output.line(`building ${built.length} service(s) of ${sha.slice(0, 12)} as ${built.map((s) => `${s} → ${tags[s]}`).join(', ')}`);
    const r = await command.run(['build', ...built], { output, signal });
    if (signal.aborted) throw signal.reason;
    if (r.exitCode !== 0) throw command.error(`build (previous release, ${sha.slice(0, 12)})`, r);
    output.line(`previous release built: ${Object.values(tags).join(', ')}`);
    return { ref, sha, release: { images: tags }, remove };
  } catch (err) {
    await remove(output).catch((cleanup: unknown) => output.line(`previous release: cleanup after the failure failed: ${errorMessage(cleanup)}`));
    throw err;
  }
}

/** git with argv elements only (the ref is data, never shell text); RG_DRIVER_UNAVAILABLE without git. */
async function git(args: string[], cwd: string, signal?: AbortSignal, output?: OutputSink): Promise<ProcessResult> {
  const r = await runGroup(['git', ...args], { cwd, capture: true, ...(signal ? { signal } : {}), ...(output ? { output } : {}) });
  if (r.spawnError) throw new RgEnvironmentError('RG_DRIVER_UNAVAILABLE', `Could not run git to build the previous release (previous.ref): ${r.spawnError.message}.`, 'Install git, or give the previous release as previous.images.', r.spawnError);
  return r;
}

const lastLine = (r: ProcessResult) => r.tail.at(-1)?.trim() ?? `exit ${r.exitCode}`;

/** Our tags only: an image the gate did not build is never removed. */
async function removeImages(docker: Docker, images: string[], output: OutputSink): Promise<void> {
  for (const image of images) {
    try {
      const info = await docker.getImage(image).inspect();
      // Not ours after all (a tag someone else made with our name): leave it.
      if (info.Config?.Labels?.[PROJECT_LABEL] === undefined) {
        output.line(`previous release: ${image} was not built by compose, left as it is`);
        continue;
      }
      await removeTag(docker, image);
      output.line(`previous release: removed image ${image}`);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) continue;
      output.line(`previous release: image ${image} not removed: ${errorMessage(err)}`);
    }
  }
}

/**
 * Removes one tag of ours. A drill cut short leaves the previous release's containers up until the
 * stack's own teardown, which runs after this one: the tag is then forced off (the image goes with
 * those containers), so no tag outlives the gate.
 */
async function removeTag(docker: Docker, image: string): Promise<void> {
  try {
    await docker.getImage(image).remove();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 409) throw err;
    await docker.getImage(image).remove({ force: true });
  }
}

/** `git worktree remove --force`, then `prune` (git's own bookkeeping), then our folder. */
async function removeWorktree(repo: string, tree: string, own: string, output: OutputSink): Promise<void> {
  if (existsSync(tree)) {
    const r = await git(['worktree', 'remove', '--force', tree], repo);
    if (r.exitCode !== 0) output.line(`previous release: git worktree remove ${tree} exited with ${r.exitCode} (${lastLine(r)}); the folder is removed and git pruned`);
  }
  await rm(own, { recursive: true, force: true });
  await git(['worktree', 'prune'], repo);
  output.line(`previous release: worktree ${tree} removed`);
}
