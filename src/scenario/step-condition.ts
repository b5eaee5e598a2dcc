import type { TemplateScope } from './template.js';

/**
 * A step's `if`: `name` (set and not empty), `!name` (not set), `name == value`,
 * `name != value`. Names are template names (`env.KORRIGO_LOCKS`, `cookie.csrftoken`, a
 * capture); an unset name equals nothing, so `env.X != off` holds when X is unset.
 */
export interface StepCondition {
  name: string;
  test: 'set' | 'unset' | 'equals' | 'differs';
  value?: string;
}

const EXPRESSION = /^\s*(!)?\s*([A-Za-z_][\w.-]*)\s*(?:(==|!=)\s*(.*?))?\s*$/;

export function parseCondition(text: string): StepCondition | null {
  const m = EXPRESSION.exec(text);
  if (!m || (m[1] && m[3])) return null;
  const name = m[2] as string;
  if (m[3]) return { name, test: m[3] === '==' ? 'equals' : 'differs', value: unquote(m[4] ?? '') };
  return { name, test: m[1] ? 'unset' : 'set' };
}

function unquote(text: string): string {
  return /^(['"]).*\1$/.test(text) ? text.slice(1, -1) : text;
}

/** Whether the condition holds; `why` says it in words for the log line of a skipped step. */
export function evaluateCondition(condition: StepCondition, scope: TemplateScope): { holds: boolean; why: string } {
  const raw = scope.get(condition.name);
  const value = raw === undefined || raw === null ? undefined : String(raw);
  const set = value !== undefined && value !== '';
  switch (condition.test) {
    case 'set':
      return { holds: set, why: `${condition.name} is ${set ? 'set' : 'not set'}` };
    case 'unset':
      return { holds: !set, why: `${condition.name} is ${set ? 'set' : 'not set'}` };
    case 'equals':
      return { holds: value === condition.value, why: `${condition.name} is ${value === undefined ? 'not set' : JSON.stringify(value)}` };
    case 'differs':
      return { holds: value !== condition.value, why: `${condition.name} is ${value === undefined ? 'not set' : JSON.stringify(value)}` };
  }
}
