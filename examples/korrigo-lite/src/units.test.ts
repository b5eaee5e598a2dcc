import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { FAULT_NAMES, parseFaults } from './faults.js';
import { parseGeneration, type Generation } from './generation.js';
import { parseCookies, serializeCookie } from './http/cookies.js';
import { csrfFailure, type CsrfInput } from './http/csrf-guard.js';
import { annotationErrors } from './http/grading-api.js';
import { buildPage, pageOutOfRange, parsePageNumber } from './http/pagination.js';
import { encodeGrayPng, readPngSize } from './png-encoder.js';
import { loadSettings } from './settings.js';

const ok: CsrfInput = {
  method: 'POST',
  origin: 'http://localhost:8088',
  originHeader: undefined,
  referer: 'http://localhost:8088/',
  cookieToken: 'tok',
  headerToken: 'tok',
};

describe('csrfFailure', () => {
  const cases: [string, Partial<CsrfInput>, RegExp | null][] = [
    ['passes a same-origin request with matching token', {}, null],
    ['lets safe methods through without anything', { method: 'GET', referer: undefined, headerToken: undefined }, null],
    ['rejects a missing Referer', { referer: undefined }, /no Referer/],
    ['rejects a Referer on another port', { referer: 'http://localhost:9999/' }, /does not match/],
    ['rejects a Referer with another scheme', { referer: 'https://localhost:8088/' }, /does not match/],
    ['accepts a matching Origin without Referer', { originHeader: 'http://localhost:8088', referer: undefined }, null],
    ['rejects a foreign Origin', { originHeader: 'http://evil.example' }, /Origin checking failed/],
    ['rejects a missing cookie', { cookieToken: undefined }, /CSRF cookie not set/],
    ['rejects a missing header', { headerToken: undefined }, /CSRF token missing/],
    ['rejects a different token', { headerToken: 'other' }, /CSRF token incorrect/],
  ];
  for (const [name, change, expected] of cases) {
    it(name, () => {
      const reason = csrfFailure({ ...ok, ...change });
      if (expected === null) assert.equal(reason, null);
      else assert.match(reason ?? '', expected);
    });
  }
});

describe('annotationErrors', () => {
  const valid = { page_index: 0, x: 0.1, y: 0.2, w: 0.3, h: 0.05, type: 'COMMENT', content: 'ok' };
  const cases: [string, Record<string, unknown>, string[]][] = [
    ['accepts the contract payload', valid, []],
    ['rejects x above 1', { ...valid, x: 1.2 }, ['x']],
    ['rejects a negative h', { ...valid, h: -0.1 }, ['h']],
    ['rejects a string coordinate', { ...valid, y: '0.2' }, ['y']],
    ['rejects a box overflowing to the right', { ...valid, x: 0.9, w: 0.2 }, ['w']],
    ['rejects a fractional page index', { ...valid, page_index: 1.5 }, ['page_index']],
    ['rejects an unknown type', { ...valid, type: 'DOODLE' }, ['type']],
  ];
  for (const [name, body, fields] of cases) {
    it(name, () => assert.deepEqual(Object.keys(annotationErrors(body) ?? {}).sort(), fields));
  }
});

describe('pagination', () => {
  it('links pages with absolute URLs and keeps other parameters', () => {
    const page = buildPage(new URL('http://h:8088/api/exams/1/copies/?page=2&x=1'), 2, 2, 5, []);
    assert.equal(page.next, 'http://h:8088/api/exams/1/copies/?page=3&x=1');
    assert.equal(page.previous, 'http://h:8088/api/exams/1/copies/?x=1');
    assert.equal(buildPage(new URL('http://h/a/?page=3'), 3, 2, 5, []).next, null);
  });
  it('parses ?page= and detects pages past the end', () => {
    assert.equal(parsePageNumber(new URL('http://h/a/')), 1);
    assert.equal(parsePageNumber(new URL('http://h/a/?page=0')), null);
    assert.equal(parsePageNumber(new URL('http://h/a/?page=x')), null);
    assert.equal(pageOutOfRange(3, 2, 4), true);
    assert.equal(pageOutOfRange(1, 2, 0), false);
  });
});

describe('faults and settings', () => {
  it('parses a comma-separated fault list', () => {
    assert.deepEqual([...parseFaults(' zero-pages, lock-409 ,')], ['zero-pages', 'lock-409']);
    // Every fault the sample knows parses, each once (the list grows with the selftest's needs).
    assert.deepEqual([...parseFaults(FAULT_NAMES.join(','))].sort(), [...new Set(FAULT_NAMES)].sort());
    assert.ok(FAULT_NAMES.includes('metrics-public'));
  });
  it('refuses an unknown fault name, naming the allowed ones', () => {
    assert.throws(() => parseFaults('zero-pages,crash'), /unknown fault\(s\) "crash"; allowed: zero-pages/);
  });
  it('reads defaults and rejects a bad COPIES_PAGE_SIZE', () => {
    const s = loadSettings({});
    assert.equal(s.port, 8000);
    assert.equal(s.copiesPageSize, 20);
    assert.equal(s.metricsToken, undefined);
    assert.notEqual(loadSettings({ PORT: '8001' }).stateDir, s.stateDir, 'state dir depends on the port');
    assert.throws(() => loadSettings({ COPIES_PAGE_SIZE: '0' }), /COPIES_PAGE_SIZE: expected a positive integer/);
  });
});

describe('cookies and PNG', () => {
  it('round-trips cookies and keeps the first duplicate', () => {
    assert.deepEqual([...parseCookies('a=1; b=x%20y; a=2')], [['a', '1'], ['b', 'x y']]);
    assert.equal(serializeCookie('sessionid', 'k', { httpOnly: true }), 'sessionid=k; Path=/; SameSite=Lax; HttpOnly');
  });
  it('encodes a grayscale PNG whose header reads back', () => {
    const png = encodeGrayPng(3, 2, new Uint8Array(6).fill(128));
    assert.deepEqual(readPngSize(png), { width: 3, height: 2 });
    assert.throws(() => encodeGrayPng(3, 2, new Uint8Array(5)), /expected 6 pixels/);
    assert.throws(() => readPngSize(Buffer.from('not a png at all, really not')), /not a PNG/);
  });
});

describe('parseGeneration', () => {
  const cases: [string | undefined, Generation | RegExp][] = [
    [undefined, 'v1'],
    ['', 'v1'],
    ['v1', 'v1'],
    [' current ', 'current'],
    ['v2', /unknown generation "v2"; allowed: v1, current/],
    ['Current', /unknown generation "Current"/],
  ];
  for (const [value, expected] of cases) {
    it(`${JSON.stringify(value)} -> ${String(expected)}`, () => {
      if (typeof expected === 'string') assert.equal(parseGeneration(value), expected);
      else assert.throws(() => parseGeneration(value), expected);
    });
  }

  it('is read by loadSettings from KORRIGO_LITE_GENERATION', () => {
    assert.equal(loadSettings({}).generation, 'v1');
    assert.equal(loadSettings({ KORRIGO_LITE_GENERATION: 'current' }).generation, 'current');
  });
});
