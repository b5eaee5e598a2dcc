import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemaReference } from './schema-reference.js';
import { testDir } from '../common/test-dir.fixture.js';

/** A fresh folder under the temp dir with these files (empty). */
function tree(files: string[]): string {
  const root = testDir('rg-test-schema-ref-');
  for (const f of files) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), '{}');
  }
  return root;
}

const INSTALLED = 'node_modules/release-gate/schema/release-gate.schema.json';

describe('schemaReference: a $schema that works from the user\'s folder', () => {
  const cases: [string, string[], string, (root: string) => string, (root: string) => string][] = [
    ['the project\'s own install, relative', [`app/${INSTALLED}`, 'checkout/schema/release-gate.schema.json'], 'app', (r) => join(r, 'checkout/schema/release-gate.schema.json'), () => INSTALLED],
    ['an install in a parent folder (a monorepo), relative', [INSTALLED, 'app/sub/x'], 'app/sub', (r) => join(r, 'checkout/schema/release-gate.schema.json'), () => `../../${INSTALLED}`],
    ['a global install: the package\'s own schema path', ['app/x', `global/lib/${INSTALLED}`], 'app', (r) => join(r, `global/lib/${INSTALLED}`), (r) => join(r, `global/lib/${INSTALLED}`)],
    ['a development checkout: never a path into it', ['app/x', 'checkout/schema/release-gate.schema.json'], 'app', (r) => join(r, 'checkout/schema/release-gate.schema.json'), () => INSTALLED],
  ];
  for (const [name, files, cwd, pkg, expected] of cases) {
    it(name, () => {
      const root = tree(files);
      assert.equal(schemaReference(join(root, cwd), pkg(root)), expected(root));
    });
  }
});
