import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { MANAGED_LABEL, defaultProjectName, isValidProjectName, managedOverride } from './compose-project.js';

describe('defaultProjectName', () => {
  it('is stable for the same checkout and files', () => {
    assert.equal(defaultProjectName('/src/korrigo', ['a.yml']), defaultProjectName('/src/korrigo/', ['./a.yml']));
  });
  it('differs between checkouts with the same folder name', () => {
    assert.notEqual(defaultProjectName('/a/korrigo', ['c.yml']), defaultProjectName('/b/korrigo', ['c.yml']));
  });
  it('differs when the compose files differ', () => {
    assert.notEqual(defaultProjectName('/a/korrigo', ['c.yml']), defaultProjectName('/a/korrigo', ['d.yml']));
  });
  const names: { dir: string; match: RegExp }[] = [
    { dir: '/src/Korrigo Lite', match: /^rg-korrigo-lite-[0-9a-f]{8}$/ },
    { dir: '/src/korrigo_lite', match: /^rg-korrigo_lite-[0-9a-f]{8}$/ },
    { dir: '/', match: /^rg-[0-9a-f]{8}$/ },
    { dir: '/src/ÉTÉ..', match: /^rg-(.+-)?[0-9a-f]{8}$/ },
  ];
  for (const c of names) {
    it(`gives a valid compose name for "${c.dir}"`, () => {
      const name = defaultProjectName(c.dir, ['docker-compose.yml']);
      assert.match(name, c.match);
      assert.ok(isValidProjectName(name), name);
    });
  }
});

describe('managedOverride', () => {
  it('labels every service and volume as release-gate managed', () => {
    const doc = JSON.parse(managedOverride({ services: ['db', 'web'], definitions: {}, volumes: ['pg'], ports: [], oneShot: [] }));
    assert.deepEqual(doc.services.db.labels, { [MANAGED_LABEL]: 'true' });
    assert.deepEqual(doc.services.web.labels, { [MANAGED_LABEL]: 'true' });
    assert.deepEqual(doc.volumes.pg.labels, { [MANAGED_LABEL]: 'true' });
  });
  it('leaves out the volumes key when there is none', () => {
    assert.equal('volumes' in JSON.parse(managedOverride({ services: ['web'], definitions: {}, volumes: [], ports: [], oneShot: [] })), false);
  });
});
