import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LiteralMatcher, mergeRanges } from './literal-matcher.js';

function matcher(literals: string[], options?: ConstructorParameters<typeof LiteralMatcher>[0]): LiteralMatcher {
  const m = new LiteralMatcher(options);
  for (const l of literals) m.add(l);
  return m;
}

/** Every occurrence by brute force, in the order `matches` promises (start, then longest). */
function naive(literals: string[], text: string): string[] {
  const out: [number, number, string][] = [];
  for (const l of literals) for (let i = text.indexOf(l); i >= 0; i = text.indexOf(l, i + 1)) out.push([i, i + l.length, l]);
  return out.sort((a, b) => a[0] - b[0] || b[1] - a[1]).map(([s, e, l]) => `${s}-${e}:${l}`);
}

const show = (m: LiteralMatcher, text: string): string[] => m.matches(text).map((x) => `${x.start}-${x.end}:${x.literal}${x.partial ? '*' : ''}`);

describe('LiteralMatcher', () => {
  const table: { name: string; literals: string[]; text: string; matches: string[]; cover: [number, number][] }[] = [
    { name: 'finds nothing in an empty text or with no literals', literals: ['abcdef'], text: '', matches: [], cover: [] },
    { name: 'finds every occurrence of one literal', literals: ['abcdef'], text: 'abcdef-abcdef', matches: ['0-6:abcdef', '7-13:abcdef'], cover: [[0, 6], [7, 13]] },
    {
      name: 'reports a literal that is a prefix of another, the longest first; the cover is the longest',
      literals: ['abcdef', 'abcdefghij'],
      text: 'x abcdefghij y',
      matches: ['2-12:abcdefghij', '2-8:abcdef'],
      cover: [[2, 12]],
    },
    {
      name: 'covers two overlapping literals whole',
      literals: ['abcd1234', '1234wxyz'],
      text: 'abcd1234wxyz',
      matches: ['0-8:abcd1234', '4-12:1234wxyz'],
      cover: [[0, 12]],
    },
    { name: 'finds a literal that is a suffix of another', literals: ['xxabcdef', 'abcdef'], text: 'xxabcdef', matches: ['0-8:xxabcdef', '2-8:abcdef'], cover: [[0, 8]] },
    { name: 'keeps adjacent occurrences apart', literals: ['abcdef'], text: 'abcdefabcdef', matches: ['0-6:abcdef', '6-12:abcdef'], cover: [[0, 6], [6, 12]] },
    { name: 'finds self-overlapping occurrences', literals: ['aaaaaa'], text: 'aaaaaaa', matches: ['0-6:aaaaaa', '1-7:aaaaaa'], cover: [[0, 7]] },
    { name: 'matches by code unit, astral characters included', literals: ['clé-😀-42'], text: 'la clé-😀-42.', matches: ['3-12:clé-😀-42'], cover: [[3, 12]] },
    { name: 'does not stop at grapheme boundaries (a combining mark after the literal)', literals: ['abcdef'], text: 'abcdef\u0301', matches: ['0-6:abcdef'], cover: [[0, 6]] },
    { name: 'does not normalise: a decomposed é is another literal', literals: ['caf\u00e9-123'], text: 'cafe\u0301-123', matches: [], cover: [] },
    { name: 'is case-sensitive', literals: ['Secret42'], text: 'secret42 SECRET42', matches: [], cover: [] },
  ];
  for (const c of table) {
    it(c.name, () => {
      const m = matcher(c.literals);
      assert.deepEqual(show(m, c.text), c.matches);
      assert.deepEqual(m.cover(c.text), c.cover);
    });
  }

  it('refuses literals shorter than the window and duplicates', () => {
    const m = new LiteralMatcher({ window: 6 });
    assert.equal(m.add(''), false);
    assert.equal(m.add('abcde'), false);
    assert.equal(m.add('abcdef'), true);
    assert.equal(m.add('abcdef'), false);
    assert.equal(m.size, 1);
    assert.deepEqual(show(m, 'abcde abcdef'), ['6-12:abcdef']);
  });

  it('refuses a window below 1 and a partial rule shorter than the window', () => {
    assert.throws(() => new LiteralMatcher({ window: 0 }), /window must be an integer from 1 to 33, got 0/);
    assert.throws(() => new LiteralMatcher({ window: 6, partial: { minPrefix: 4, minLiteralLength: 12 } }), /minPrefix \(4\) must be at least the window \(6\)/);
  });

  it('agrees with a brute-force search on random texts over a small alphabet', () => {
    let x = 42;
    const rnd = (n: number): number => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return (x >>> 8) % n;
    };
    const word = (len: number): string => Array.from({ length: len }, () => 'ab'[rnd(2)]).join('');
    for (let trial = 0; trial < 300; trial++) {
      const literals = [...new Set(Array.from({ length: 1 + rnd(8) }, () => word(3 + rnd(6))))];
      const text = word(60);
      const m = matcher(literals, { window: 3 });
      assert.deepEqual(show(m, text), naive(literals, text), `literals ${literals.join(',')} in ${text}`);
    }
  });

  describe('partial rule', () => {
    const rule = { window: 6, partial: { minPrefix: 6, minLiteralLength: 12 } };
    const cases: { name: string; literals: string[]; text: string; matches: string[] }[] = [
      { name: 'reports the longest leading run of a long literal', literals: ['-Mx8Q3kZp7Rw2'], text: "'-Mx8Q3k'", matches: ["1-8:-Mx8Q3kZp7Rw2*"] },
      { name: 'a run shorter than minPrefix is not reported', literals: ['-Mx8Q3kZp7Rw2'], text: "'-Mx8Q'", matches: [] },
      { name: 'a whole occurrence is not partial', literals: ['-Mx8Q3kZp7Rw2'], text: '-Mx8Q3kZp7Rw2', matches: ['0-13:-Mx8Q3kZp7Rw2'] },
      { name: 'short literals have no partial runs', literals: ['-Mx8Q3kZp7'], text: '-Mx8Q3kZ', matches: [] },
      { name: 'a run never ends between the halves of a surrogate pair', literals: ['abcde😀fghijk'], text: 'abcde\ud83d\ude01', matches: [] },
      { name: 'a run through an astral character keeps it whole', literals: ['abcd😀efghijk'], text: 'abcd😀ef!', matches: ['0-8:abcd😀efghijk*'] },
      { name: 'both a shorter whole literal and a longer partial one', literals: ['abcdef', 'abcdefghijklm'], text: 'abcdefgh', matches: ['0-8:abcdefghijklm*', '0-6:abcdef'] },
    ];
    for (const c of cases) {
      it(c.name, () => assert.deepEqual(show(matcher(c.literals, rule), c.text), c.matches));
    }
  });

  it('hashes one text position in three, however many literals it knows, and walks once per candidate start', () => {
    const few = matcher(['00001-needle']);
    const many = matcher(Array.from({ length: 10_000 }, (_, i) => `${String(i).padStart(5, '0')}-needle`));
    const text = 'hay '.repeat(1000) + '00001-needle';
    assert.deepEqual(show(many, text), show(few, text));
    assert.equal(many.stats.positions, few.stats.positions);
    // Window 6, q-grams of 4: one position every 3 code units.
    assert.equal(few.stats.positions, Math.floor((text.length - 4) / 3) + 1);
    // Walks only where a literal's first characters occur, plus rare hash collisions: 10,000
    // literals ending in "-needle" share the q-grams of "-needle" but not the first six units.
    assert.ok(many.stats.candidates <= few.stats.candidates + 5, `${many.stats.candidates} walks`);
  });
});

describe('mergeRanges', () => {
  const table: { ranges: [number, number][]; merged: [number, number][] }[] = [
    { ranges: [], merged: [] },
    { ranges: [[5, 8], [0, 2]], merged: [[0, 2], [5, 8]] },
    { ranges: [[0, 4], [2, 6], [5, 9]], merged: [[0, 9]] },
    { ranges: [[0, 10], [2, 3]], merged: [[0, 10]] },
    { ranges: [[0, 3], [3, 6]], merged: [[0, 3], [3, 6]] },
    { ranges: [[4, 4], [1, 2]], merged: [[1, 2]] },
  ];
  for (const c of table) {
    it(`merges ${JSON.stringify(c.ranges)}`, () => assert.deepEqual(mergeRanges(c.ranges), c.merged));
  }
});
