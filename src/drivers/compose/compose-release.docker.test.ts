// Needs a real Docker engine + compose and the local debian:trixie-slim image
// (scripts/docker-engine.sh). Run through `npm run test:docker`.
import { after, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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
