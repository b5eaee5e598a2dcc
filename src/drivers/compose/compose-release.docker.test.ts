// Needs a real Docker engine + compose and the local debian:trixie-slim image
// (scripts/docker-engine.sh). Run through `npm run test:docker`.
import { after, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OutputSink } from '../../common/output.js';
import { pickFreePort } from '../../common/ports.js';
import { ComposeDriver } from './compose-driver.js';

/*
 * `up` with a StackRelease (the upgrade drill's previous release) on a real engine: its images
 * and variables run, the data `down` without volumes kept reaches the candidate, and the next
 * plain `up` is the candidate again.
 */
const fixtureDir = fileURLToPath(new URL('../../../../test/fixtures/compose-driver/', import.meta.url));
const project = `rg-test-${randomBytes(4).toString('hex')}`;
// A second name for the fixture's image: "the previous release's image".
const previousImage = `rg-test-release-${randomBytes(4).toString('hex')}:previous`;

function sink(): OutputSink & { text(): string } {
  const parts: string[] = [];
  return { write: (chunk) => parts.push(chunk.toString()), line: (text) => parts.push(`${text}\n`), text: () => parts.join('') };
}

function docker(args: string[]): string {
  const r = spawnSync('docker', args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

describe('compose driver: up as another release', () => {
  let driver: ComposeDriver | undefined;
  after(async () => {
    await driver?.down({ volumes: true }, sink()).catch(() => undefined);
    await driver?.close();
    spawnSync('docker', ['image', 'rm', previousImage]);
  });

  it('runs the release\'s image and variables, keeps the data for the candidate, and the next up is the candidate', async () => {
    docker(['tag', 'debian:trixie-slim', previousImage]);
    driver = new ComposeDriver({ projectDir: fixtureDir, files: ['docker-compose.yml'], projectName: project, services: ['web'], env: { RG_FIXTURE_PORT: String(await pickFreePort()), FIXTURE_SECRET: 'candidate' }, minFreeDiskMb: 256 });
    const out = sink();
    const run = async (argv: string[]) => {
      const o = sink();
      const { exitCode } = await (driver as ComposeDriver).exec('web', argv, { output: o });
      assert.equal(exitCode, 0, o.text());
      return o.text().trim();
    };
    const image = () => docker(['inspect', '--format', '{{.Config.Image}}', `${project}-web-1`]);

    await driver.up(out, undefined, { env: { FIXTURE_SECRET: 'previous' }, images: { web: previousImage } });
    assert.equal(image(), previousImage, out.text());
    assert.equal(await run(['printenv', 'FIXTURE_SECRET']), 'previous');
    await run(['sh', '-c', 'echo "written by the previous release" > /data/row']);
    assert.match(out.text(), new RegExp(`release: variable FIXTURE_SECRET, web image ${previousImage}`));

    await driver.down({ volumes: false }, out);
    await driver.up(out);
    assert.equal(image(), 'debian:trixie-slim');
    assert.equal(await run(['printenv', 'FIXTURE_SECRET']), 'candidate');
    assert.equal(await run(['cat', '/data/row']), 'written by the previous release');
  });
});

/*
 * A release with compose files of its own (StackRelease.compose: the previous release's tree):
 * its services, environment and commands run, under the candidate's project name (the same
 * volumes); back to the candidate, a service only the release had is gone.
 */
describe("compose driver: up as a release from its own compose files", () => {
  const base = mkdtempSync(join(tmpdir(), 'rg-test-release-files-'));
  const candidateDir = join(base, 'candidate');
  const previousDir = join(base, 'previous');
  const ownProject = `rg-test-${randomBytes(4).toString('hex')}`;
  const ownImage = `rg-test-release-${randomBytes(4).toString('hex')}:previous`;
  let driver: ComposeDriver | undefined;
  after(async () => {
    await driver?.down({ volumes: true }, sink()).catch(() => undefined);
    await driver?.close();
    spawnSync('docker', ['image', 'rm', ownImage]);
    rmSync(base, { recursive: true, force: true });
  });

  /** A compose file of idle debian services (`name: environment`), all on the volume `data`. */
  function composeFile(dir: string, services: Record<string, Record<string, string>>): void {
    mkdirSync(dir, { recursive: true });
    const idle = ['sh', '-c', "trap 'exit 0' TERM; sleep infinity & wait"];
    const doc = {
      services: Object.fromEntries(Object.entries(services).map(([name, environment]) => [name, { image: 'debian:trixie-slim', command: idle, environment, volumes: ['data:/data'] }])),
      volumes: { data: {} },
    };
    writeFileSync(join(dir, 'docker-compose.yml'), JSON.stringify(doc, null, 2));
  }

  /** The services of the project that have a container, running or not. */
  const containers = () => docker(['ps', '-a', '--filter', `label=com.docker.compose.project=${ownProject}`, '--format', '{{.Label "com.docker.compose.service"}}']).split('\n').filter(Boolean).sort();

  it("runs the release's own services and environment on the candidate's volumes; either's up removes what only the other had", async () => {
    docker(['tag', 'debian:trixie-slim', ownImage]);
    // The candidate adds `worker`; the previous release had `legacy`, and a variable only its file sets.
    composeFile(candidateDir, { web: { FIXTURE_FILE: 'candidate' }, worker: {} });
    composeFile(previousDir, { web: { FIXTURE_FILE: 'previous', OLD_ONLY: 'set by the old compose file' }, legacy: {} });
    driver = new ComposeDriver({ projectDir: candidateDir, files: ['docker-compose.yml'], projectName: ownProject, minFreeDiskMb: 256 });
    const d = driver;
    const out = sink();
    const run = async (service: string, argv: string[]) => {
      const o = sink();
      const { exitCode } = await d.exec(service, argv, { output: o });
      return { exitCode, text: o.text().trim() };
    };
    const previous = { compose: { projectDir: previousDir, files: ['docker-compose.yml'] }, images: { web: ownImage } };

    await d.up(out, undefined, previous);
    assert.match(out.text(), new RegExp(`release: its own compose file\\(s\\) docker-compose.yml in ${previousDir}, web image ${ownImage}`));
    assert.deepEqual(containers(), ['legacy', 'web'], out.text());
    assert.equal(docker(['inspect', '--format', '{{.Config.Image}}', `${ownProject}-web-1`]), ownImage);
    assert.deepEqual(await run('web', ['printenv', 'OLD_ONLY']), { exitCode: 0, text: 'set by the old compose file' });
    assert.equal((await run('web', ['printenv', 'FIXTURE_FILE'])).text, 'previous');
    assert.match(await d.ps(), /legacy/);
    assert.equal((await run('web', ['sh', '-c', 'echo "written by the previous release" > /data/row'])).exitCode, 0);

    // The drill's switch: down keeping the volumes, then the candidate.
    await d.down({ volumes: false }, out);
    assert.deepEqual(containers(), [], out.text());
    await d.up(out);
    assert.deepEqual(containers(), ['web', 'worker'], out.text());
    assert.equal(docker(['inspect', '--format', '{{.Config.Image}}', `${ownProject}-web-1`]), 'debian:trixie-slim');
    assert.equal((await run('web', ['printenv', 'FIXTURE_FILE'])).text, 'candidate');
    assert.equal((await run('web', ['printenv', 'OLD_ONLY'])).exitCode, 1);
    assert.equal((await run('web', ['cat', '/data/row'])).text, 'written by the previous release');

    // Straight from one to the other, without a down between: what only the other side has is an orphan, removed.
    await d.up(out, undefined, previous);
    assert.deepEqual(containers(), ['legacy', 'web'], out.text());
    await d.up(out);
    assert.deepEqual(containers(), ['web', 'worker'], out.text());
  });

  it("a drill cut short: the release's tree removed before the stack's down, the down runs the candidate's files and leaves nothing", async () => {
    assert.ok(driver, 'runs after the test above');
    const d = driver;
    const cutDir = join(base, 'previous-cut');
    composeFile(cutDir, { web: { FIXTURE_FILE: 'previous' }, legacy: {} });
    const out = sink();
    await d.up(out, undefined, { compose: { projectDir: cutDir, files: ['docker-compose.yml'] } });
    assert.deepEqual(containers(), ['legacy', 'web'], out.text());
    rmSync(cutDir, { recursive: true });
    await d.down({ volumes: true }, out);
    assert.match(out.text(), /the release's compose file\(s\) .*previous-cut\/docker-compose\.yml are gone: the candidate's files run/);
    assert.deepEqual(containers(), [], out.text());
    assert.equal(docker(['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${ownProject}`]), '', out.text());
  });
});
