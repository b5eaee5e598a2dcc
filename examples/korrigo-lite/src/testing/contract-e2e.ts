import type { ApiResponse, KorrigoClient } from './korrigo-client.js';

/** What one run of the contract's E2E workflow observed. */
export interface E2eRun {
  copyId: number;
  copyPagesWalked: number;
  lock: ApiResponse;
  annotation: ApiResponse;
  list: ApiResponse | null;
  release: ApiResponse | null;
}

/** One run of the seed's E2E step 4 (docs/korrigo.md) with a logged-in client; stops after the first failed step. */
export async function runContractE2e(client: KorrigoClient): Promise<E2eRun> {
  const exams = await client.request('GET', '/api/exams/');
  if (exams.status !== 200) throw new Error(`GET /api/exams/ -> ${exams.status} ${exams.text}`);
  const examId = exams.json.results[0].id as number;
  const { copy, pages } = await client.firstReadyCopy(examId);
  if (!copy) throw new Error(`no READY copy in exam ${examId}`);
  const base = `/api/grading/copies/${copy.id}`;
  const lock = await client.request('POST', `${base}/lock/`, { body: {} });
  const run: E2eRun = { copyId: copy.id, copyPagesWalked: pages, lock, annotation: lock, list: null, release: null };
  if (lock.status !== 201 && lock.status !== 200) return run;
  const headers = { 'X-Lock-Token': lock.json.token as string };
  run.annotation = await client.request('POST', `${base}/annotations/`, {
    headers,
    body: { page_index: 0, x: 0.1, y: 0.2, w: 0.3, h: 0.05, type: 'COMMENT', content: 'E2E annotation' },
  });
  run.list = await client.request('GET', `${base}/annotations/`);
  run.release = await client.request('DELETE', `${base}/lock/release/`, { headers });
  return run;
}

/** What one run of the current Korrigo's E2E observed: no lock, no release. */
export interface CurrentE2eRun {
  copyId: number;
  copyPagesWalked: number;
  annotation: ApiResponse;
  list: ApiResponse;
}

/** The E2E step 4 as the current Korrigo takes it: annotate the first READY copy without any lock token. */
export async function runCurrentE2e(client: KorrigoClient): Promise<CurrentE2eRun> {
  const exams = await client.request('GET', '/api/exams/');
  if (exams.status !== 200) throw new Error(`GET /api/exams/ -> ${exams.status} ${exams.text}`);
  const examId = exams.json.results[0].id as number;
  const { copy, pages } = await client.firstReadyCopy(examId);
  if (!copy) throw new Error(`no READY copy in exam ${examId}`);
  const base = `/api/grading/copies/${copy.id}`;
  const annotation = await client.request('POST', `${base}/annotations/`, {
    body: { page_index: 0, x: 0.1, y: 0.2, w: 0.3, h: 0.05, type: 'COMMENT', content: 'E2E annotation' },
  });
  const list = await client.request('GET', `${base}/annotations/`);
  return { copyId: copy.id, copyPagesWalked: pages, annotation, list };
}
