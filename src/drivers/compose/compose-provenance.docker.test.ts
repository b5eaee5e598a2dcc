// Needs a real Docker engine + compose and the local debian:trixie-slim image
// (scripts/docker-engine.sh). Run through `npm run test:docker`.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import type { OutputSink } from '../../common/output.js';
import { pickFreePort } from '../../common/ports.js';
import type { StackProvenance } from '../../model/stack.js';
import { ComposeDriver } from './compose-driver.js';
import { PROJECT_LABEL } from './compose-project.js';

const fixtureDir = fileURLToPath(new URL('../../../../test/fixtures/compose-driver/', import.meta.url));
const docker = new Docker();
const sink: OutputSink = { write: () => undefined, line: () => undefined };

describe('ComposeDriver.provenance on a real engine', () => {
  const name = `rg-test-${randomBytes(4).toString('hex')}`;
  let driver: ComposeDriver;
  let before_: StackProvenance;
  let running: StackProvenance;

  before(async () => {
    const port = await pickFreePort();
    driver = new ComposeDriver({ projectDir: fixtureDir, files: ['docker-compose.yml'], projectName: name, env: { RG_FIXTURE_PORT: String(port) }, minFreeDiskMb: 256, services: ['web'] });
    await driver.preflight(sink);
    before_ = await driver.provenance();
    await driver.up(sink);
    running = await driver.provenance();
  });

  after(async () => {
    try {
      await driver.down({ volumes: true }, sink);
    } finally {
      await driver.close();
    }
    const left = await docker.listContainers({ all: true, filters: { label: [`${PROJECT_LABEL}=${name}`] } });
    assert.deepEqual(left.map((c) => c.Names[0]), [], 'containers left behind');
  });

  it('reports the engine and compose versions as the engine does', async () => {
    const version = (await docker.version()) as { Version: string; ApiVersion: string };
    assert.deepEqual(running.engine, { name: 'docker', version: version.Version, apiVersion: version.ApiVersion });
    assert.match(running.compose?.version ?? '', /^\d+\.\d+/);
  });

  it("gives each service's content-addressed image id, the one its container runs", async () => {
    const web = running.services.find((s) => s.name === 'web');
    const image = await docker.getImage('debian:trixie-slim').inspect();
    assert.equal(web?.image, 'debian:trixie-slim');
    assert.equal(web?.imageId, image.Id);
    assert.match(web?.imageId ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(web?.repoDigests, [...(image.RepoDigests ?? [])].sort());
  });

  it('says nothing ran before up, instead of inventing a digest', () => {
    assert.deepEqual(before_.services, [{ name: 'web', note: 'no container: nothing ran' }]);
  });
});
