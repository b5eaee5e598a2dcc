import { resolve } from 'node:path';
import Docker from 'dockerode';
import { RgConfigError, RgEnvironmentError, RgStepError, errorMessage } from '../../common/errors.js';
import type { OutputSink } from '../../common/output.js';
import type { BuiltRelease, CopiedFile, ExecOptions, LogsOptions, ServiceStatus, ServiceStop, ServiceUsage, StackDriver, StackEvent, StackProvenance, StackRelease } from '../../model/stack.js';
import { portInBindError, portTakenHint, portVariables } from '../../common/port-variables.js';
import { runGroup, type ProcessResult } from '../../common/process-group.js';
import { ContainerUsage } from '../docker/container-usage.js';
import { copiedFileInfo } from '../docker/copied-file-info.js';
import { namesakeVolumes, refuseForeignObjects } from '../docker/foreign-objects.js';
import { execInContainer, pingEngine } from '../docker/engine-api.js';
import { sweepProject } from '../docker/project-sweep.js';
import { profileAllArgs, type ComposeFlavor } from './compose-cli.js';
import { ComposeCommand } from './compose-command.js';
import { ComposeContainers } from './compose-containers.js';
import { composeLogs } from './compose-logs.js';
import { checkDiskFree, checkPortsFree } from './compose-preflight.js';
import { CONTAINER_NUMBER_LABEL, MANAGED_LABEL, PROJECT_LABEL, SERVICE_LABEL, defaultProjectName, isValidProjectName } from './compose-project.js';

export interface ComposeDriverOptions {
  /** Folder compose runs in; relative `files` and `envFile` resolve from it. */
  projectDir: string;
  /** Compose files, passed as `-f` in order. */
  files: string[];
  /** Passed as `--env-file` when set. */
  envFile?: string;
  /** Compose project name (`-p`); default `rg-<folder>-<hash>`, own and stable per checkout. */
  projectName?: string;
  /** Let `down` remove a project that has containers/volumes release-gate did not create. */
  forceClean?: boolean;
  /** Preflight fails below this much free disk (MB) where the engine stores data. Default 2048. */
  minFreeDiskMb?: number;
  /** Extra environment for compose (secrets interpolated into the compose file). */
  env?: Record<string, string>;
  /** One-shot jobs judged by their exit code, beside the `service_completed_successfully` targets. */
  oneShot?: string[];
  /** Only these services (build/up/ps/services); all when absent. */
  services?: string[];
  /** Which compose to run: `auto` (default) prefers `docker compose` v2, falls back to `docker-compose` v1. */
  compose?: 'auto' | 'v2' | 'v1';
  /** Engine API client; defaults to DOCKER_HOST or the local socket. */
  docker?: Docker;
  /** Port → the config's variable that sets it (the compose files' own are read too), for hints. */
  portVariables?: Record<string, string>;
}

const DEFAULT_MIN_FREE_DISK_MB = 2048;

/**
 * Runs the stack with Docker Compose; observes it through the Engine API. The compose CLI
 * (compose-command.ts) does the lifecycle; the containers' state and events come from the
 * engine (compose-containers.ts).
 */
export class ComposeDriver implements StackDriver {
  readonly name = 'compose';
  readonly projectName: string;
  private readonly opts: ComposeDriverOptions;
  private readonly projectDir: string;
  private readonly docker: Docker;
  private readonly command: ComposeCommand;
  private readonly containers: ComposeContainers;
  private usageSampler: ContainerUsage | null = null;

  constructor(opts: ComposeDriverOptions) {
    if (opts.files.length === 0) throw new RgConfigError([{ where: 'stack.files', message: 'at least one compose file is required' }]);
    this.opts = opts;
    this.projectDir = resolve(opts.projectDir);
    this.projectName = opts.projectName ?? defaultProjectName(this.projectDir, opts.files);
    if (!isValidProjectName(this.projectName)) {
      throw new RgConfigError([
        {
          where: 'stack.project',
          message: `"${this.projectName}" is not a valid compose project name (lowercase letters, digits, "-" and "_", starting with a letter or digit)`,
        },
      ]);
    }
    this.docker = opts.docker ?? new Docker();
    this.command = new ComposeCommand({ projectDir: this.projectDir, projectName: this.projectName, files: opts.files, envFile: opts.envFile, env: opts.env, compose: opts.compose });
    this.containers = new ComposeContainers(this.docker, this.projectName, opts.services);
  }

  // ---------------------------------------------------------------- preflight

  async preflight(output: OutputSink): Promise<void> {
    await pingEngine(this.docker);
    const info = (await this.docker.info().catch(() => ({}))) as { ServerVersion?: string; DockerRootDir?: string };
    const version = (await this.docker.version().catch(() => ({}))) as { ApiVersion?: string };
    output.line(`engine: Docker ${info.ServerVersion ?? '?'} (API ${version.ApiVersion ?? '?'}) reachable`);
    const flavor = await this.command.compose();
    output.line(`compose: ${flavor.argv0.join(' ')} ${flavor.kind} (${flavor.version})${flavor.kind === 'v1' ? ' — legacy v1, docker compose v2 not found' : ''}`);
    const model = await this.command.loadModel();
    output.line(`project: ${this.projectName} (${model.services.length} services: ${model.services.join(', ')})`);
    if (this.opts.envFile) {
      const envFile = this.command.envFile();
      output.line(envFile ? `env file: ${envFile}` : `env file: ${resolve(this.projectDir, this.opts.envFile)} not found, compose runs without --env-file`);
    }
    // Ports our own project already publishes are freed by the gate's `down`: not a conflict.
    const ours = new Set<number>();
    for (const c of await this.containers.list()) for (const p of c.Ports ?? []) if (p.PublicPort) ours.add(p.PublicPort);
    await checkPortsFree(model.ports, ours, { portVariables: () => this.portVariables(), files: this.opts.files }, output);
    await checkDiskFree(info.DockerRootDir, this.projectDir, this.opts.minFreeDiskMb ?? DEFAULT_MIN_FREE_DISK_MB, output);
  }

  /** Port → the variable of the compose files (or the config) that sets it, for hints. */
  private portVariables(): Record<string, string> {
    const files = this.opts.files.map((f) => resolve(this.projectDir, f));
    return { ...portVariables(files, this.opts.env ?? {}), ...this.opts.portVariables };
  }

  // ---------------------------------------------------------------- lifecycle

  async down(opts: { volumes: boolean }, output: OutputSink): Promise<void> {
    await this.command.forgetReleaseWithoutFiles(output);
    await this.refuseForeign(output);
    // Every profile: a service started under one by an earlier run (--keep-up) goes too.
    const args = [...profileAllArgs(await this.command.compose()), 'down', '--remove-orphans'];
    if (opts.volumes) args.push('-v');
    const r = await this.command.run(args, { output });
    // Whatever compose left (an older compose without `--profile '*'`, v1), by label.
    const left = await sweepProject(this.docker, this.projectName, { project: PROJECT_LABEL, managed: MANAGED_LABEL }, { volumes: opts.volumes, output });
    if (r.exitCode !== 0 && left.length === 0) {
      // Compose gave up on something (a network with active endpoints) the sweep then removed.
      output.line(`${(await this.command.compose()).argv0.join(' ')} down exited ${r.exitCode}; what it left was removed by label: nothing of project ${this.projectName} remains`);
      await this.pruneOwnImages(output);
      return;
    }
    if (left.length > 0) {
      throw new RgStepError(`Project ${this.projectName} still holds ${left.length} object(s) after down: ${left.join(', ')}.`, {
        hint: `Remove them (\`docker ps -a --filter label=${PROJECT_LABEL}=${this.projectName}\`), then rerun.`,
      });
    }
    if (r.exitCode !== 0) throw this.command.error(`down${opts.volumes ? ' -v' : ''}`, r);
    await this.pruneOwnImages(output);
  }

  async build(opts: { noCache: boolean }, output: OutputSink, signal?: AbortSignal): Promise<void> {
    const args = ['build'];
    if (opts.noCache) args.push('--no-cache');
    await this.command.orThrow([...args, ...(this.opts.services ?? [])], output, args.join(' '), signal);
    // Each rebuild leaves the previous images of this stack untagged (~1.3 GB per Korrigo build).
    await this.pruneOwnImages(output);
  }

  async up(output: OutputSink, signal?: AbortSignal, release?: StackRelease): Promise<void> {
    // To or from a release with compose files of its own: a service only the other side has is an orphan of this project.
    const orphans = this.command.releaseFilesInForce || release?.compose ? ['--remove-orphans'] : [];
    await this.command.useRelease(release);
    if (release) output.line(`release: ${[...(release.compose ? [`its own compose file(s) ${release.compose.files.join(', ')} in ${release.compose.projectDir}`] : []), ...Object.keys(release.env ?? {}).map((k) => `variable ${k}`), ...Object.entries(release.images ?? {}).map(([s, i]) => `${s} image ${i}`)].join(', ') || 'the candidate'}`);
    // Plain `up -d` as Korrigo's gate: images from the build step are reused, never rebuilt;
    // a missing one is built here rather than failing the boot. A release's images are never built:
    // built here, from the candidate's tree, the "previous release" would be the candidate itself.
    const build = release ? ['--no-build'] : [];
    const r = await this.command.run(['up', '-d', ...build, ...orphans, ...(await this.selectedServices())], { output, signal });
    if (signal?.aborted) throw signal.reason;
    const taken = r.exitCode === 0 ? undefined : r.tail.find((line) => /port is already allocated|address already in use/i.test(line));
    if (taken) {
      // Free at preflight, taken since (another program, a second gate): the environment, not the release.
      throw new RgEnvironmentError(
        'RG_PORT_TAKEN',
        `A port published by project ${this.projectName} was taken between the preflight and \`up\` (last: ${taken.trim()}).`,
        portTakenHint(portInBindError(taken), this.portVariables(), this.opts.files),
      );
    }
    if (r.exitCode !== 0) throw this.command.error('up -d', r);
  }

  /** The upgrade drill's previous release, built from a git ref of the project (previous-release.ts). */
  async buildRelease(ref: string, output: OutputSink, signal: AbortSignal): Promise<BuiltRelease> {
    const { buildPreviousRelease } = await import('./previous-release.js');
    const { projectDir, projectName, docker } = this;
    return buildPreviousRelease({ projectDir, projectName, docker, files: this.opts.files, envFile: this.opts.envFile, env: this.opts.env, compose: this.opts.compose }, ref, output, signal);
  }

  async ps(): Promise<string> {
    const flavor = await this.command.compose();
    const args = flavor.kind === 'v2' ? ['ps', '-a'] : ['ps'];
    const r = await this.command.run([...args, ...(await this.selectedServices())], { capture: true });
    if (r.exitCode !== 0) throw this.command.error('ps', r);
    return r.stdout;
  }

  async logs(service: string | undefined, opts: LogsOptions): Promise<void> {
    await composeLogs(this.command, service, opts);
  }

  // ---------------------------------------------------------------- observation

  async services(): Promise<ServiceStatus[]> {
    // Without a readable config (edited mid-run), still report the containers that exist.
    const model = await this.command.loadModel().catch(() => null);
    return this.containers.services(model?.services ?? null, new Set([...(this.opts.oneShot ?? []), ...(model?.oneShot ?? [])]));
  }

  async watch(onEvent: (event: StackEvent) => void): Promise<() => void> {
    return this.containers.watch(onEvent);
  }

  /**
   * `docker kill` (SIGKILL) of the service's running container. The engine takes it for a stop,
   * not a crash: the die (exit 137) is reported, no policy restart follows.
   */
  async killService(service: string): Promise<void> {
    await this.docker.getContainer(await this.containers.runningContainerId(service)).kill({ signal: 'SIGKILL' });
  }

  /** The Shutdown check: each container stopped with its own stop signal and grace, dependents first (compose-stop.ts). */
  async stopGracefully(output: OutputSink, signal?: AbortSignal): Promise<ServiceStop[]> {
    const { stopComposeGracefully } = await import('./compose-stop.js');
    const model = await this.command.loadModel();
    const dependsOn = Object.fromEntries(model.services.map((svc) => [svc, model.definitions[svc]?.dependsOn ?? []]));
    const wanted = new Set(this.opts.services ?? model.services);
    const containers = (await this.containers.list()).filter((c) => wanted.has(c.Labels[SERVICE_LABEL] ?? ''));
    const oneShot = new Set([...(this.opts.oneShot ?? []), ...model.oneShot]);
    return stopComposeGracefully({ docker: this.docker, containers, dependsOn, oneShot, output, signal });
  }

  // ---------------------------------------------------------------- exec / copy

  async exec(service: string, argv: string[], opts: ExecOptions): Promise<{ exitCode: number }> {
    return execInContainer(this.docker, await this.containers.runningContainerId(service), argv, opts);
  }

  async copyOut(service: string, path: string, dest: string): Promise<CopiedFile> {
    const flavor = await this.command.compose();
    let r: ProcessResult;
    if (flavor.kind === 'v2') {
      r = await this.command.run(['cp', `${service}:${path}`, dest], { capture: true });
    } else {
      // v1 has no `cp`: the docker CLI copies from the container compose created.
      const id = await this.containers.runningContainerId(service, true);
      r = await runGroup(['docker', 'cp', `${id}:${path}`, dest], { cwd: this.projectDir, env: this.command.env(), capture: true });
    }
    if (r.exitCode !== 0) throw this.command.error(`cp ${service}:${path} ${dest}`, r);
    return copiedFileInfo(this.docker, dest);
  }

  async usage(): Promise<ServiceUsage[]> {
    this.usageSampler ??= new ContainerUsage(this.docker, SERVICE_LABEL);
    return this.usageSampler.sample(await this.containers.list());
  }

  async provenance(): Promise<StackProvenance> {
    const { composeProvenance } = await import('./compose-provenance.js');
    const model = await this.command.loadModel().catch(() => null);
    const containers = await this.containers.list();
    const services = this.opts.services ?? model?.services ?? [...new Set(containers.map((c) => c.Labels[SERVICE_LABEL] ?? ''))].filter(Boolean).sort();
    return composeProvenance(this.docker, containers, services, await this.command.compose().catch(() => null));
  }

  /** The third signal: containers are not cheap to stop synchronously; say what is up and how to remove it. */
  abandon(): string[] {
    return [`left the compose project "${this.projectName}" as it is (containers, networks, volumes); remove it with: docker compose -p ${this.projectName} down -v`];
  }

  async close(): Promise<void> {
    this.containers.close();
    await this.command.close();
  }

  /** `docker compose config` output of the files (JSON for v2, YAML for v1; YAML parses both): the swarm driver deploys it. */
  configText(): Promise<string> {
    return this.command.configText();
  }

  /** The compose found (v2 or v1), for drivers building through this one. */
  flavorInUse(): Promise<ComposeFlavor> {
    return this.command.compose();
  }

  // ---------------------------------------------------------------- internals

  /** `stack.services` (none: all); under a release with files of its own, only those it declares. */
  private async selectedServices(): Promise<string[]> {
    const only = this.opts.services ?? [];
    if (only.length === 0 || !this.command.releaseFilesInForce) return only;
    const declared = new Set((await this.command.loadModel()).services);
    const kept = only.filter((service) => declared.has(service));
    // None declared: compose's own "no such service" says it better than starting every service.
    return kept.length > 0 ? kept : only;
  }

  /**
   * Removes the dangling images built for this project (compose labels them), never any other
   * image; and those of its previous release's build (`<project>-previous`): a tag forced off
   * while a cut drill's containers used it leaves one that only this `down` can free.
   */
  private async pruneOwnImages(output: OutputSink): Promise<void> {
    for (const project of [this.projectName, `${this.projectName}-previous`]) {
      try {
        const pruned = await this.docker.pruneImages({ filters: { dangling: ['true'], label: [`${PROJECT_LABEL}=${project}`] } });
        const count = pruned.ImagesDeleted?.filter((i) => i.Deleted).length ?? 0;
        if (count > 0) output.line(`removed ${count} dangling image layer(s) of project ${project} (${Math.round((pruned.SpaceReclaimed ?? 0) / 1e6)} MB)`);
      } catch (err) {
        // Disk hygiene, not evidence: a prune racing another one must not fail the build.
        output.line(`dangling images of project ${project} not removed: ${errorMessage(err)}`);
      }
    }
  }

  /** Refuses to remove a project holding containers or volumes release-gate did not create. */
  private async refuseForeign(output: OutputSink): Promise<void> {
    const filters = { label: [`${PROJECT_LABEL}=${this.projectName}`] };
    // Containers of another tool started from an image this project built carry its labels too: not compose's, not ours to judge.
    const containers = (await this.docker.listContainers({ all: true, filters })).filter((c) => c.Labels[MANAGED_LABEL] !== 'true' && c.Labels[CONTAINER_NUMBER_LABEL] !== undefined);
    const volumes = ((await this.docker.listVolumes({ filters })).Volumes ?? []).filter((v) => (v.Labels ?? {})[MANAGED_LABEL] !== 'true');
    const model = await this.command.loadModel().catch(() => null);
    const namesakes = await namesakeVolumes(this.docker, this.projectName, model?.volumes ?? [], PROJECT_LABEL);
    const what = [
      ...containers.map((c) => `container ${(c.Names[0] ?? c.Id).replace(/^\//, '')}`),
      ...volumes.map((v) => `volume ${v.Name}`),
      ...namesakes.map((name) => `volume ${name} (not created by compose for this project)`),
    ];
    refuseForeignObjects(what, { kind: 'Compose project', name: this.projectName, nameSetting: 'stack.project', forceClean: this.opts.forceClean }, output);
  }
}
