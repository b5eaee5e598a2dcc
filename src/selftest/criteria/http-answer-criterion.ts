import { builtinJudges, type HttpAnswerInput } from '../../checks/judges.js';
import type { Criterion, EvidenceMutation } from '../evidence-mutations.js';

/** HTTP answer: an unexpected status, and (when content is expected) the proxy's SPA page instead. */
export const httpAnswerCriterion: Criterion<'http-answer'> = {
  judge: builtinJudges['http-answer'],
  mutations: (input: HttpAnswerInput) => {
    if (!input.answer) return { none: 'no answer was recorded' };
    const status = [503, 500, 400, 404].find((s) => !input.statuses.includes(s)) as number;
    const mutations: EvidenceMutation[] = [{ label: `HTTP ${status} instead of ${input.answer.status}`, input: { ...input, answer: { ...input.answer, status } } }];
    if (input.expect) {
      // The classic false green: the proxy's SPA page, 200 text/html, where the endpoint was expected.
      const html = { status: input.answer.status, contentType: 'text/html; charset=utf-8', body: '<!doctype html><html><body><div id="app"></div></body></html>\n' };
      mutations.push({ label: `HTTP ${input.answer.status} with an HTML page instead of the expected content`, input: { ...input, answer: html } });
    }
    return { mutations };
  },
};
