import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type Docker from 'dockerode';
import { parse as parseYaml } from 'yaml';
import type { Clock } from '../../common/clock.js';
import { RgConfigError, RgEnvironmentError, RgStepError, errorMessage } from '../../common/errors.js';
import type { OutputSink } from '../../common/output.js';
import { bindProbe } from '../../common/ports.js';
import { runGroup, type ProcessResult } from '../../common/process-group.js';
import { waitFor } from '../../common/wait.js';
import type { CopiedFile, ExecOptions, LogsOptions, ServiceStatus, ServiceUsage, StackDriver, StackEvent, StackProvenance } from '../../model/stack.js';
import { ComposeDriver } from '../compose/compose-driver.js';
import { copiedFileInfo } from '../docker/copied-file-info.js';
import { MANAGED_LABEL, SERVICE_LABEL, isValidProjectName } from '../compose/compose-project.js';
import { parseComposeModel, type ComposeModel } from '../compose/compose-model.js';
import { namesakeVolumes, refuseForeignObjects } from '../docker/foreign-objects.js';
import { ENGINE_HINT, execInContainer, pingEngine } from '../docker/engine-api.js';
import { dockerAt } from '../docker/engine-client.js';
import { LOCAL_ENDPOINT, type EngineEndpoint } from '../docker/engine-endpoint.js';
import { pushImages } from './registry-push.js';
import { waitForDependency } from './dependency-wait.js';
import { deployWaves, serviceImages, toStackFile } from './stack-file.js';
import { swarmLogs } from './swarm-logs.js';
import { swarmProvenance } from './swarm-provenance.js';
import { SwarmUsage } from './swarm-usage.js';
import { removeStackVolumes } from './stack-volumes.js';
import { SwarmNodes } from './swarm-nodes.js';
import { SERVICE_NAME_LABEL, STACK_LABEL, SwarmTasks, type NodeContainer } from './swarm-tasks.js';

export { STACK_LABEL } from './swarm-tasks.js';

/** Budget of `down` for swarm to remove the task containers and networks after `stack rm`. */
const REMOVAL_BUDGET_MS = 90_000;
const SWARM_HINT = 'Make this engine a one-node swarm: `docker swarm init --advertise-addr 127.0.0.1` (or `RG_SWARM=1 scripts/docker-engine.sh` of the release-gate repository), or use the compose driver.';

export interface SwarmDriverOptions {
  projectDir: string;
  files: string[];
  envFile?: string;
  /** Stack name (`docker stack deploy … <stack>`); also the compose project name of the build. */
  stackName: string;
  forceClean?: boolean;
  env?: Record<string, string>;
  oneShot?: string[];
  services?: string[];
  publishMode: 'host' | 'ingress';
  endpointMode: 'dnsrr' | 'vip';
  /** Where the generated stack file is written. */
  stateDir: string;
  clock: Clock;
  /** The manager's engine (resolved: stack.manager, DOCKER_HOST, the Docker context, the local socket) and where that came from. */
  manager?: { endpoint: EngineEndpoint; from: string };
  /** Node hostname (or id) → its engine's endpoint: how a task on another node is reached. */
  nodeEngines?: Record<string, EngineEndpoint>;
  /** Where built images are pushed for every node to pull (`host:port`); needed on more than one node. */
  registry?: string;
  docker?: Docker;
}

/**
 * The compose file deployed as a swarm stack (`docker stack deploy`), observed through the
 * Engine API: tasks per service, task replacements as restarts, the task containers' health.
 * Build, the compose model and `config` go through compose (the same files, the stack name as
 * project), so images are built and tagged exactly as the compose driver builds them.
 */
export class SwarmDriver implements StackDriver {
  readonly name = 'swarm';
  readonly stackName: string;
  private readonly opts: SwarmDriverOptions;
  private readonly docker: Docker;
  private readonly compose: ComposeDriver;
  private model: ComposeModel | null = null;
  private config: unknown = null;
  private readonly tasks: SwarmTasks;
  private readonly usageSampler = new SwarmUsage();
  private readonly nodes: SwarmNodes;
  private readonly endpoint: EngineEndpoint;
  /** Built image → its name in the registry, once pushed by this run's `up`. */
  private pushed: Map<string, string> | null = null;

  constructor(opts: SwarmDriverOptions) {
    if (!isValidProjectName(opts.stackName)) {
      throw new RgConfigError([
        { where: 'stack.stack', message: `"${opts.stackName}" is not a valid stack name (lowercase letters, digits, "-" and "_", starting with a letter or digit)` },
      ]);
    }
    this.opts = opts;
    this.stackName = opts.stackName;
    this.endpoint = opts.manager?.endpoint ?? LOCAL_ENDPOINT;
    this.docker = opts.docker ?? dockerAt(this.endpoint, opts.manager?.from ?? 'DOCKER_HOST');
    this.nodes = new SwarmNodes(this.docker, this.endpoint, opts.nodeEngines ?? {});
    this.tasks = new SwarmTasks(this.docker, this.stackName, opts.services, this.nodes);
    this.compose = new ComposeDriver({
      projectDir: opts.projectDir,
      files: opts.files,
      ...(opts.envFile ? { envFile: opts.envFile } : {}),
      projectName: opts.stackName,
      // compose builds in the manager's engine: the one the stack is deployed from.
      env: { ...(opts.env ?? {}), ...this.engineEnv() },
      ...(opts.services ? { services: opts.services } : {}),
      compose: 'auto',
      docker: this.docker,
    });
  }

  // ---------------------------------------------------------------- preflight

  async preflight(output: OutputSink): Promise<void> {
    await pingEngine(this.docker, `${this.endpoint} (${this.opts.manager?.from ?? 'DOCKER_HOST'})`);
    const info = (await this.docker.info().catch(() => ({}))) as { ServerVersion?: string; Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
    const state = info.Swarm?.LocalNodeState ?? 'unknown';
    if (state !== 'active' || info.Swarm?.ControlAvailable !== true) {
      throw new RgEnvironmentError(
        'RG_DRIVER_UNAVAILABLE',
        `Docker ${info.ServerVersion ?? ''} is not a swarm manager (swarm: ${state}${state === 'active' ? ', worker node' : ''}); stack deploy needs one.`,
        SWARM_HINT,
      );
    }
    output.line(`engine: Docker ${info.ServerVersion ?? '?'}, swarm manager (${state}) at ${this.endpoint} (from ${this.opts.manager?.from ?? 'the local socket'})`);
    for (const line of await this.nodes.check()) output.line(line);
    if ((await this.nodes.multiNode()) && !this.opts.registry) {
      throw new RgEnvironmentError(
        'RG_SWARM_NEEDS_REGISTRY',
        'This swarm has more than one node that takes tasks, and the stack\'s images are built on the manager only: a task placed on another node could not start (No such image).',
        'Set stack.registry to a registry every node can pull from (e.g. registry: "10.0.0.5:5000"): the gate tags and pushes the built images there and deploys with --with-registry-auth. Or drain the other nodes.',
      );
    }
    if (this.opts.registry) output.line(`registry: ${this.opts.registry} (the build step pushes the built images there, pinned by digest; every node pulls them)`);
    const flavor = await this.compose.flavorInUse();
    output.line(`compose (config and build): ${flavor.argv0.join(' ')} ${flavor.kind} (${flavor.version})`);
    const model = await this.loadModel();
    output.line(`stack: ${this.stackName} (${model.services.length} services: ${model.services.join(', ')}; ports published in ${this.opts.publishMode} mode, names resolved by ${this.opts.endpointMode})`);
    if (!this.endpoint.startsWith('unix:')) {
      // The ports are the nodes' to publish: this machine's are not what the stack needs free.
      for (const p of model.ports) output.line(`port ${p.published} (service "${p.service}"): published on the swarm's nodes, not on this machine: not probed`);
      return;
    }
    // Ports our own stack already publishes are freed by the gate's `down`: not a conflict.
    const ours = new Set<number>();
    for (const svc of await this.tasks.listServices()) for (const p of svc.Endpoint?.Ports ?? []) if (p.PublishedPort) ours.add(p.PublishedPort);
    for (const c of await this.tasks.stackContainers(false)) for (const p of c.Ports ?? []) if (p.PublicPort) ours.add(p.PublicPort);
    for (const p of model.ports) {
      if (p.protocol !== 'tcp') continue;
      if (ours.has(p.published)) {
        output.line(`port ${p.published} (service "${p.service}"): held by this stack, freed by down`);
        continue;
      }
      const problem = await bindProbe(p.published, '127.0.0.1');
      if (problem) {
        throw new RgEnvironmentError(
          'RG_PORT_TAKEN',
          `Port ${p.published} published by service "${p.service}" is not free (${problem}).`,
          `Stop what listens there (\`ss -ltnp 'sport = :${p.published}'\`), or publish another host port in ${this.opts.files.join(', ')}.`,
        );
      }
      output.line(`port ${p.published} (service "${p.service}"): free`);
    }
  }

  // ---------------------------------------------------------------- lifecycle

  async build(opts: { noCache: boolean }, output: OutputSink, signal?: AbortSignal): Promise<void> {
    // Same files, the stack name as project: images get the tags the stack file names.
    await this.compose.build(opts, output, signal);
    // Pushed with the build, so the stability window (counted from up) watches the stack, not a push.
    if (this.opts.registry) await this.push(output, signal);
  }

  async up(output: OutputSink, signal?: AbortSignal): Promise<void> {
    await this.refuseForeign(output);
    await this.loadModel();
    // The build step did not run (skipped): the images already built are pushed now.
    if (this.opts.registry && this.pushed === null) await this.push(output, signal);
    const waves = deployWaves(this.config, this.opts.services ? new Set(this.opts.services) : undefined);
    const deployed: string[] = [];
    for (const [i, wave] of waves.entries()) {
      for (const w of wave.waitFor) await waitForDependency(w, () => this.services(), { stackName: this.stackName, clock: this.opts.clock, output, ...(signal ? { signal } : {}) });
      deployed.push(...wave.services);
      if (waves.length > 1) output.line(`deploy ${i + 1}/${waves.length}: ${wave.services.join(', ')}`);
      await this.deploy(new Set(deployed), output, signal, i === 0);
    }
  }

  private async push(output: OutputSink, signal: AbortSignal | undefined): Promise<void> {
    const registry = this.opts.registry as string;
    const built = [...(await this.images())].filter(([name, i]) => i.built && (!this.opts.services || this.opts.services.includes(name))).map(([, i]) => i.image);
    this.pushed = await pushImages(this.docker, registry, built, (args) => this.docker_(args, output, signal), output);
  }

  private async deploy(services: ReadonlySet<string>, output: OutputSink, signal: AbortSignal | undefined, withNotes: boolean): Promise<void> {
    const file = await this.writeStackFile(services, withNotes ? output : null);
    let r: ProcessResult;
    try {
      // --resolve-image never: the images are local; asking a registry for their digest cannot work here and is not wanted.
      // --detach: up returns once the services exist; the Boot step waits for their tasks.
      // --with-registry-auth: the nodes pull the pushed images with this client's credentials.
      const auth = this.opts.registry ? ['--with-registry-auth'] : [];
      r = await this.docker_(['stack', 'deploy', '--detach=true', '--resolve-image', 'never', ...auth, '--prune', '-c', file, this.stackName], output, signal);
    } finally {
      // It holds the resolved environment (secrets included): read once by stack deploy, never kept.
      await rm(file, { force: true });
    }
    if (signal?.aborted) throw signal.reason;
    if (r.exitCode !== 0) throw this.commandError(`stack deploy ${this.stackName}`, r);
  }

  async down(opts: { volumes: boolean }, output: OutputSink): Promise<void> {
    // A node restarting still holds task containers and volumes of the stack: wait for its engine.
    await this.nodes.list();
    await this.nodes.waitReachable(this.opts.clock, REMOVAL_BUDGET_MS, output);
    await this.refuseForeign(output);
    const services = await this.tasks.listServices();
    const networks = await this.stackNetworks();
    if (services.length > 0 || networks.length > 0) {
      const r = await this.docker_(['stack', 'rm', this.stackName], output);
      if (r.exitCode !== 0) throw this.commandError(`stack rm ${this.stackName}`, r);
    } else {
      output.line(`stack ${this.stackName}: no service or network to remove`);
    }
    // stack rm returns at once; the task containers and the networks go in the background.
    const gone = await waitFor(
      async () => {
        // A node whose engine does not answer may still hold containers: "left", never "removed".
        const containers = await this.tasks.stackContainers(true).catch((err: unknown) => [errorMessage(err)]);
        const left = [
          ...(await this.tasks.listServices()).map((s) => `service ${s.Spec?.Name ?? s.ID}`),
          ...containers.map((c) => (typeof c === 'string' ? c : `container ${(c.Names[0] ?? c.Id).replace(/^\//, '')} (node ${c.node})`)),
          ...(await this.stackNetworks()).map((n) => `network ${n.Name}`),
        ];
        return { done: left.length === 0, value: left };
      },
      { timeoutMs: REMOVAL_BUDGET_MS, intervalMs: 500, clock: this.opts.clock },
    );
    if (!gone.ok) {
      throw new RgStepError(`stack ${this.stackName} not gone ${REMOVAL_BUDGET_MS / 1000}s after stack rm (left: ${(gone.last ?? []).join(', ')}).`, {
        hint: '`docker stack ps` and `docker network inspect` show what holds them.',
      });
    }
    output.line(`stack ${this.stackName}: services, task containers and networks removed`);
    if (opts.volumes) await removeStackVolumes(await this.tasks.stackVolumes(), this.stackName, this.opts.clock, output);
  }

  async ps(): Promise<string> {
    const services = await this.docker_(['stack', 'services', this.stackName], undefined, undefined, true);
    const tasks = await this.docker_(['stack', 'ps', '--no-trunc', '--format', 'table {{.Name}}\t{{.Image}}\t{{.Node}}\t{{.DesiredState}}\t{{.CurrentState}}\t{{.Error}}', this.stackName], undefined, undefined, true);
    // An empty stack makes both exit 1 ("Nothing found in stack"): still a table for the logs.
    return [services.stdout.trim() || services.tail.join('\n'), '', tasks.stdout.trim() || tasks.tail.join('\n'), ''].join('\n');
  }

  async logs(service: string | undefined, opts: LogsOptions): Promise<void> {
    const services = await this.tasks.listServices();
    const names = service !== undefined ? [service] : (this.opts.services ?? (await this.loadModel().catch(() => null))?.services ?? services.map((s) => this.tasks.shortName(s.Spec?.Name ?? '')));
    await swarmLogs(this.docker, { name: this.stackName, services, names }, service, opts);
  }

  // ---------------------------------------------------------------- observation

  async services(): Promise<ServiceStatus[]> {
    const model = await this.loadModel().catch(() => null);
    return this.tasks.services(model?.services ?? null, new Set([...(this.opts.oneShot ?? []), ...(model?.oneShot ?? [])]));
  }

  async watch(onEvent: (event: StackEvent) => void): Promise<() => void> {
    return this.tasks.watch(onEvent, this.opts.clock);
  }

  // ---------------------------------------------------------------- exec / copy

  // A task's container is in the engine of the node it runs on: exec and copy go there.
  async exec(service: string, argv: string[], opts: ExecOptions): Promise<{ exitCode: number }> {
    const task = await this.tasks.runningTask(service);
    try {
      return await execInContainer(task.docker, task.containerId, argv, opts);
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      throw new RgStepError(`exec in the task of ${service} on node ${task.node} (${task.endpoint ?? 'the manager'}) failed: ${errorMessage(err)}.`, { hint: 'Is that node up? `docker node ls` on the manager says.' });
    }
  }

  async copyOut(service: string, path: string, dest: string): Promise<CopiedFile> {
    const task = await this.tasks.runningTask(service);
    const r = await this.docker_(['cp', `${task.containerId}:${path}`, dest], undefined, undefined, true, task.endpoint);
    if (r.exitCode !== 0) throw this.commandError(`cp ${service}:${path} ${dest} (node ${task.node})`, r);
    return copiedFileInfo(task.docker, dest);
  }

  async usage(): Promise<ServiceUsage[]> {
    // Every node answers, or the sample fails: a service summed over the nodes it could reach would read too low.
    return this.usageSampler.sample(await this.nodes.engines(), await this.serviceContainers(true));
  }

  async provenance(): Promise<StackProvenance> {
    const model = await this.loadModel().catch(() => null);
    const flavor = await this.compose.flavorInUse().catch(() => null);
    return swarmProvenance(this.docker, await this.nodes.engines(), await this.serviceContainers(false), this.opts.services ?? model?.services ?? [], flavor);
  }

  /** The third signal: the stack is the engine's to stop; say it is up and how to remove it. */
  abandon(): string[] {
    return [`left the swarm stack "${this.stackName}" deployed; remove it with: docker stack rm ${this.stackName}`];
  }

  async close(): Promise<void> {
    this.tasks.close();
    await this.compose.close();
  }

  // ---------------------------------------------------------------- internals

  private async loadModel(): Promise<ComposeModel> {
    if (this.model) return this.model;
    const text = await this.compose.configText();
    this.config = parseYaml(text) as unknown;
    this.model = parseComposeModel(text);
    return this.model;
  }

  private async writeStackFile(only: ReadonlySet<string>, output: OutputSink | null): Promise<string> {
    const model = await this.loadModel();
    const images = await this.images();
    const { doc, notes } = toStackFile(this.config, {
      stack: this.stackName,
      project: this.stackName,
      // The built image, or its name in the registry once pushed (every node pulls it from there).
      imageFor: (svc, declared) => {
        const built = images.get(svc)?.image ?? declared ?? svc;
        return this.pushed?.get(built) ?? built;
      },
      oneShot: new Set([...(this.opts.oneShot ?? []), ...model.oneShot]),
      publishMode: this.opts.publishMode,
      endpointMode: this.opts.endpointMode,
    });
    const svcs = doc['services'] as Record<string, unknown>;
    for (const name of Object.keys(svcs)) if (!only.has(name)) delete svcs[name];
    await mkdir(this.opts.stateDir, { recursive: true });
    const file = join(this.opts.stateDir, `${this.stackName}.stack.json`);
    await writeFile(file, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600 });
    if (!output) return file;
    output.line(`stack file: ${file}, removed after the deploy (from docker compose config of ${this.opts.files.map((f) => resolve(this.opts.projectDir, f)).join(', ')})`);
    for (const note of notes) output.line(`  ${note}`);
    return file;
  }

  /** The CLI talks to the engine the API client does: DOCKER_HOST set, a Docker context (which would conflict) unset. */
  private engineEnv(endpoint: EngineEndpoint = this.endpoint): Record<string, string> {
    return { DOCKER_HOST: endpoint, DOCKER_CONTEXT: '' };
  }

  private env(endpoint?: EngineEndpoint): NodeJS.ProcessEnv {
    // As for compose: an empty variable would override the env file's value.
    return Object.fromEntries(Object.entries({ ...process.env, ...(this.opts.env ?? {}), ...this.engineEnv(endpoint) }).filter(([, value]) => value !== undefined && value !== ''));
  }

  /** The docker CLI (stack deploy / rm / ps have no Engine API: stacks are a client-side notion); the manager's engine unless told. */
  private async docker_(args: string[], output?: OutputSink, signal?: AbortSignal, capture = false, endpoint?: EngineEndpoint): Promise<ProcessResult> {
    const r = await runGroup(['docker', ...args], { cwd: this.opts.projectDir, env: this.env(endpoint), capture, stripAnsi: true, ...(output ? { output } : {}), ...(signal ? { signal } : {}) });
    if (r.spawnError) throw new RgEnvironmentError('RG_DRIVER_UNAVAILABLE', `Could not run docker: ${r.spawnError.message}`, ENGINE_HINT, r.spawnError);
    return r;
  }

  private commandError(what: string, r: ProcessResult): RgStepError {
    const last = r.tail.at(-1);
    return new RgStepError(`docker ${what} exited with ${r.exitCode}${last ? ` (last: ${last.trim()})` : ''}.`, { hint: 'The step log holds the full output.' });
  }

  /** The task containers (on every node reached), named by their swarm service: they carry their image's labels, compose's among them. */
  private async serviceContainers(strict: boolean): Promise<NodeContainer[]> {
    return (await this.tasks.stackContainers(strict)).map((c) => ({ ...c, Labels: { ...c.Labels, [SERVICE_LABEL]: this.tasks.shortName(c.Labels[SERVICE_NAME_LABEL] ?? '') } }));
  }

  private async stackNetworks(): Promise<Docker.NetworkInspectInfo[]> {
    return this.docker.listNetworks({ filters: { label: [`${STACK_LABEL}=${this.stackName}`] } });
  }

  /** Each service's image, as compose names what it builds. */
  private async images(): Promise<Map<string, { image: string; built: boolean }>> {
    await this.loadModel();
    return serviceImages(this.config, this.stackName, (await this.compose.flavorInUse()).kind);
  }

  /** Refuses to touch a stack holding services or volumes release-gate did not create (as the compose driver does). */
  private async refuseForeign(output: OutputSink): Promise<void> {
    const services = (await this.tasks.listServices()).filter((s) => (s.Spec?.Labels ?? {})[MANAGED_LABEL] !== 'true');
    const volumes = (await this.tasks.stackVolumes()).map((v) => v.volume).filter((v) => (v.Labels ?? {})[MANAGED_LABEL] !== 'true');
    const model = await this.loadModel().catch(() => null);
    const namesakes = await namesakeVolumes(this.docker, this.stackName, model?.volumes ?? [], STACK_LABEL);
    const what = [
      ...services.map((s) => `service ${s.Spec?.Name ?? s.ID}`),
      ...volumes.map((v) => `volume ${v.Name}`),
      ...namesakes.map((n) => `volume ${n} (not created by a stack deploy of ${this.stackName})`),
    ];
    refuseForeignObjects(what, { kind: 'Swarm stack', name: this.stackName, nameSetting: 'stack.stack', forceClean: this.opts.forceClean }, output);
  }
}
