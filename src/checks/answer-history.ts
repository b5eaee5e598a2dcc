import type { AnswerCount } from '../model/run-result.js';
import type { HttpAnswer } from './http-answer.js';

/** One try of an HTTP wait: the answer, or what went wrong. */
export interface HttpAttempt {
  /** The answer; null for a network error. */
  answer: HttpAnswer | null;
  /** The network error, or why the content was refused. */
  problem: string | null;
}

/**
 * The answers a wait got before its first good one, counted by kind (`502`, `connection
 * refused`), each with its first and last time: a wait that passed after 101 × 502 says so.
 * Bounded: one entry per kind, at most MAX_KINDS kinds (the rest counted under `other`).
 */
export class AnswerHistory {
  private readonly counts = new Map<string, AnswerCount>();

  add(attempt: HttpAttempt, at: number): void {
    let key = kindOf(attempt);
    if (!this.counts.has(key) && this.counts.size >= MAX_KINDS) key = 'other';
    const iso = new Date(at).toISOString();
    const entry = this.counts.get(key);
    if (entry) {
      entry.count++;
      entry.lastAt = iso;
    } else this.counts.set(key, { answer: key, count: 1, firstAt: iso, lastAt: iso });
  }

  /** Most frequent first. */
  entries(): AnswerCount[] {
    return [...this.counts.values()].sort((a, b) => b.count - a.count || a.firstAt.localeCompare(b.firstAt));
  }
}

const MAX_KINDS = 20;

/** `502 ×101 (10:00:01.2–10:00:11.3), 500 ×2 (…), connection refused ×5 (…)`; '' when empty. */
export function formatAnswerHistory(entries: AnswerCount[]): string {
  const time = (iso: string) => iso.slice(11, 23);
  return entries.map((e) => `${e.answer} ×${e.count} (${e.count === 1 ? time(e.firstAt) : `${time(e.firstAt)}–${time(e.lastAt)}`})`).join(', ');
}

function kindOf(attempt: HttpAttempt): string {
  const { answer, problem } = attempt;
  if (answer) return problem ? `${answer.status} (content refused)` : String(answer.status);
  const text = problem ?? 'no answer';
  if (/ECONNREFUSED/i.test(text)) return 'connection refused';
  if (/ECONNRESET|socket hang up|other side closed/i.test(text)) return 'connection reset';
  if (/ENOTFOUND|EAI_AGAIN/i.test(text)) return 'name not resolved';
  if (/timeout|timed out|aborted/i.test(text)) return 'no answer in time';
  return text.replace(/\s+/g, ' ').slice(0, 80);
}
