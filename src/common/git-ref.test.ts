import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gitRefProblem } from './git-ref.js';

describe('gitRefProblem: a ref from the config, before git sees it', () => {
  const cases: [string, string, RegExp | null][] = [
    ['a tag', 'v1.4.2', null],
    ['a branch with a slash', 'release/1.4', null],
    ['a full sha', 'a'.repeat(40), null],
    ['a revision expression', 'HEAD~1', null],
    ['empty', '', /^it is empty$/],
    ['an option (would write a file)', '--output=/tmp/pwned', /starts with "-"/],
    ['a short option', '-h', /starts with "-"/],
    ['a space', 'v1 --help', /space or a control character/],
    ['a tab', 'v1\tv2', /space or a control character/],
    ['a NUL', 'v1\u0000', /space or a control character/],
    ['too long', 'x'.repeat(257), /longer than 256/],
  ];
  for (const [name, ref, problem] of cases) {
    it(`${problem ? 'refuses' : 'accepts'} ${name}`, () => {
      const got = gitRefProblem(ref);
      if (problem === null) assert.equal(got, null);
      else assert.match(got ?? '', problem);
    });
  }
});
