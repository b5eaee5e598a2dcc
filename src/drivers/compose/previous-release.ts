import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import Docker from 'dockerode';
import { gitRefProblem } from '../../common/git-ref.js';
import { RgConfigError, RgStepError, errorMessage } from '../../common/errors.js';
import type { OutputSink } from '../../common/output.js';
import type { BuiltRelease, ReleaseLeftovers } from '../../model/stack.js';
import { ComposeCommand, type ComposeCommandOptions } from './compose-command.js';
import { PreviousReleaseCleanup } from './previous-release-cleanup.js';
import { git, lastLine } from './previous-release-git.js';

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
 * folder of our own (the repository's hooks off), that tree's own compose files (the candidate's
 * file names), compose's build under a project name of its own with every built service tagged
 * `<project>-previous-<service>:<sha>`. The returned release runs that tree's compose files with
 * those tags, under the candidate's project name (`up --no-build`: the same named volumes);
 * `remove` deletes the tags, our worktree and its folder. Aborted or failed, nothing is left
 * behind; what its removal could not remove is thrown with the build's own error.
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
  const buildProject = `${opts.projectName}-previous`;
  const cleanup = new PreviousReleaseCleanup({ docker: opts.docker, buildProject, repo, own, tree });
  const remove = (out: OutputSink) => cleanup.remove(out);
  let command: ComposeCommand | null = null;
  try {
    const added = await git(['worktree', 'add', '--detach', tree, sha], repo, signal, output);
    if (added.exitCode !== 0) throw new RgStepError(`previous.ref "${ref}": \`git worktree add --detach ${tree} ${sha}\` exited with ${added.exitCode} (last: ${lastLine(added)}).`);
    output.line(`worktree: ${tree} (detached at ${sha.slice(0, 12)})`);
    // The candidate's project folder and compose file names, inside the ref's tree.
    const inRepo = relative(repo, projectDir);
    const dir = inRepo === '' ? tree : join(tree, inRepo);
    const missing = opts.files.map((file) => resolve(dir, file)).filter((file) => !file.startsWith(tree + sep) || !existsSync(file));
    if (missing.length > 0) throw configIssue(`"${ref}" (${sha.slice(0, 12)}) has no ${missing.join(', ')}: the previous release is built from its own compose file(s), named as stack.file`);
    const envFile = opts.envFile === undefined ? undefined : resolve(projectDir, opts.envFile);
    command = new ComposeCommand({ ...opts, projectDir: dir, projectName: buildProject, envFile });
    const model = await command.loadModel();
    const built = model.services.filter((service) => model.definitions[service]?.build !== undefined);
    if (built.length === 0) throw configIssue(`"${ref}" (${sha.slice(0, 12)}): its compose file builds no service, there is nothing to build (give previous.images)`);
    const tags = Object.fromEntries(built.map((service) => [service, previousImageTag(opts.projectName, service, sha)]));
    for (const tag of Object.values(tags)) cleanup.images.set(tag, null);
    await command.useRelease({ images: tags });
    output.line(`building ${built.length} service(s) of ${sha.slice(0, 12)} as ${built.map((s) => `${s} → ${tags[s]}`).join(', ')}`);
    // Each tag's image ID, right after the build (whatever its outcome): what remove() may remove.
    const recordIds = () => cleanup.recordImages(Object.values(tags)).catch((err: unknown) => output.line(`previous release: image IDs not recorded (${errorMessage(err)}): their label decides`));
    const r = await command.run(['build', ...built], { output, signal }).finally(recordIds);
    if (signal.aborted) throw signal.reason;
    if (r.exitCode !== 0) throw command.error(`build (previous release, ${sha.slice(0, 12)})`, r);
    output.line(`previous release built: ${Object.values(tags).join(', ')}`);
    // It runs from its own tree's compose files, under the candidate's project: the same volumes.
    return { ref, sha, release: { images: tags, compose: { projectDir: dir, files: opts.files } }, remove };
  } catch (err) {
    await remove(output).catch((left: unknown) => {
      output.line(`previous release: cleanup after the failure failed: ${errorMessage(left)}`);
      const leftovers: ReleaseLeftovers = { removeLeftovers: remove };
      throw Object.assign(new RgStepError(`${errorMessage(err)} (and removing what the build made failed: ${errorMessage(left)})`, { cause: err }), leftovers);
    });
    throw err;
  } finally {
    // Its generated files only: the release runs through the candidate's driver.
    await command?.close();
  }
}
