import * as assert from 'node:assert/strict';
import { mkdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { confinedPath, pathSegmentProblem, physicalPath } from './confined-path.js';
import { testDir } from './test-dir.fixture.js';

/*
 * A real temp tree:  <tmp>/project (the root, with src/ and data/), <tmp>/outside,
 a stand-in $HOME apart, and symlinks inside the project leading out, leading in,
 * dangling out, and looping.
 */
const tmp = realpathSync(testDir('rg-confined-'));
const project = join(tmp, 'project');
const outside = join(tmp, 'outside');
// Apart from the project's parents: `..` must be judged as a parent of the root, not of $HOME.
const home = realpathSync(testDir('rg-confined-home-'));
mkdirSync(join(project, 'src'), { recursive: true });
mkdirSync(join(project, 'data'), { recursive: true });
mkdirSync(join(project, 'svc', 'build'), { recursive: true });
mkdirSync(outside);
symlinkSync(outside, join(project, 'out-link'));
symlinkSync(join(project, 'data'), join(project, 'in-link'));
symlinkSync(join(outside, 'not-yet'), join(project, 'dangling-out'));
symlinkSync('loop-b', join(project, 'loop-a'));
symlinkSync('loop-a', join(project, 'loop-b'));
symlinkSync(project, join(outside, 'project-link'));
after(() => {
  rmSync(tmp, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

describe('confinedPath: only strictly inside the project root may be removed', () => {
  const cases: { value: string; base?: string; root?: string; problem: RegExp | null }[] = [
    { value: '.data', problem: null },
    { value: 'data', problem: null },
    { value: 'data/sub/not-yet', problem: null },
    { value: 'build', base: join(project, 'svc'), problem: null },
    { value: 'in-link', problem: null },
    { value: 'in-link/x', problem: null },
    { value: join(project, 'data'), problem: null },
    { value: 'data', root: join(outside, 'project-link'), problem: null },
    { value: '', problem: /project root itself/ },
    { value: '.', problem: /project root itself/ },
    { value: 'src/..', problem: /project root itself/ },
    { value: '..', problem: /parent of the project root/ },
    { value: '../..', problem: /parent of (the project root|\$HOME)/ },
    { value: '../outside', problem: /outside the project root/ },
    { value: '../outside/sibling-checkout', problem: /outside the project root/ },
    { value: '/', problem: /is \/ / },
    { value: '/etc', problem: /outside the project root/ },
    { value: home, problem: /is \$HOME/ },
    { value: '..', base: join(project, 'svc'), problem: /project root itself/ },
    { value: '../..', base: join(project, 'svc'), problem: /parent of the project root/ },
    { value: 'out-link', problem: /outside the project root.*through a symlink/ },
    { value: 'out-link/sub', problem: /outside the project root.*through a symlink/ },
    { value: 'dangling-out', problem: /outside the project root.*through a symlink/ },
    { value: 'dangling-out/deeper', problem: /outside the project root.*through a symlink/ },
    { value: 'loop-a', problem: /is \// },
  ];
  for (const c of cases) {
    const base = c.base ?? project;
    it(`${c.problem ? 'refuses' : 'allows'} ${JSON.stringify(c.value)} from ${base.slice(tmp.length) || '/'}`, () => {
      const judged = confinedPath(c.value, { base, root: c.root ?? project, home });
      if (c.problem === null) assert.equal(judged.problem, null);
      else assert.match(judged.problem ?? '(allowed)', c.problem);
    });
  }

  it('refuses a parent of $HOME, and $HOME when it is inside the project', () => {
    const insideHome = join(project, 'data', 'home');
    assert.match(confinedPath('data', { base: project, root: project, home: insideHome }).problem ?? '', /parent of \$HOME/);
    assert.match(confinedPath('data/home', { base: project, root: project, home: insideHome }).problem ?? '', /is \$HOME/);
  });
});

describe('physicalPath', () => {
  it('resolves the longest existing prefix and appends the rest', () => {
    assert.equal(physicalPath(join(project, 'out-link', 'a', 'b')), join(outside, 'a', 'b'));
    assert.equal(physicalPath(join(project, 'missing', 'x')), join(project, 'missing', 'x'));
  });
});

describe('pathSegmentProblem: a log name or step id is one safe file name', () => {
  const cases: [string, RegExp | null][] = [
    ['06_stability_{window}s', null],
    ['17_validation_summary', null],
    ['build-web.v2', null],
    ['', /empty/],
    ['.', /relative path step/],
    ['..', /relative path step/],
    ['../../x', /separator|relative/],
    ['a/b', /separator/],
    ['a\\b', /separator/],
    ['x..y', /relative path step/],
    ['ok\n✅ GATE PASSED', /control character/],
    ['nul\u0000x', /control character/],
    ['bell\u0007', /control character/],
    ['cr\rx', /control character/],
    ['line\u2028sep', /control character/],
  ];
  for (const [value, problem] of cases) {
    it(`${problem ? 'refuses' : 'allows'} ${JSON.stringify(value)}`, () => {
      const found = pathSegmentProblem(value);
      if (problem === null) assert.equal(found, null);
      else assert.match(found ?? '(allowed)', problem);
    });
  }
});
