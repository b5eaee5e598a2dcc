import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { parseFaults } from '../faults.js';
import { csrfFailure } from '../http/csrf-guard.js';
import { annotationErrors } from '../http/grading-api.js';
import { buildPage } from '../http/pagination.js';
import { renderPageImage } from '../page-renderer.js';
import { hashPassword, verifyPassword } from '../password-hasher.js';
import { readPngSize } from '../png-encoder.js';

const faults = parseFaults(process.env['KORRIGO_LITE_FAULT']);

describe('units', () => {
  it('hashes passwords with scrypt and verifies them', async () => {
    const hash = await hashPassword('s3cret');
    assert.match(hash, /^scrypt\$/);
    assert.equal(await verifyPassword('s3cret', hash), true);
    assert.equal(await verifyPassword('other', hash), false);
  });

  it(
    'renders page images deterministically as PNG',
    { skip: faults.has('skip-test') ? 'KORRIGO_LITE_FAULT=skip-test' : false },
    () => {
      const a = renderPageImage('ANON-X', 0);
      const b = renderPageImage('ANON-X', 0);
      assert.equal(createHash('sha256').update(a).digest('hex'), createHash('sha256').update(b).digest('hex'));
      assert.deepEqual(readPngSize(a), { width: 124, height: 175 });
    },
  );

  it('accepts an annotation box that touches the page edge', () => {
    const errors = annotationErrors({ page_index: 0, x: 0.5, y: 0.5, w: 0.5, h: 0.5 });
    // fail-test fault: the expectation is inverted so that exactly this test fails.
    const expectValid = !faults.has('fail-test');
    assert.equal(errors === null, expectValid, `errors: ${JSON.stringify(errors)}`);
  });

  it('rejects an annotation box leaving the page', () => {
    assert.deepEqual(Object.keys(annotationErrors({ page_index: 0, x: 0.8, y: 0, w: 0.3, h: 0.1 }) ?? {}), ['w']);
  });

  it('checks the Referer before the CSRF token', () => {
    const base = { method: 'POST', origin: 'http://h:8088', originHeader: undefined, cookieToken: 't', headerToken: 't' };
    assert.equal(csrfFailure({ ...base, referer: 'http://h:8088/' }), null);
    assert.match(csrfFailure({ ...base, referer: 'http://evil/' }) ?? '', /Referer checking failed/);
    assert.match(csrfFailure({ ...base, referer: 'http://h:8088/', headerToken: 'x' }) ?? '', /incorrect/);
  });

  it('builds DRF page links from the request URL', () => {
    const page = buildPage(new URL('http://h:8088/api/exams/1/copies/?page=2'), 2, 2, 5, []);
    assert.equal(page.next, 'http://h:8088/api/exams/1/copies/?page=3');
    assert.equal(page.previous, 'http://h:8088/api/exams/1/copies/');
  });
});
