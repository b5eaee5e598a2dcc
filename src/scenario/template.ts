/**
 * `{{name}}` templating for scenario steps. Names: `env.X`, `cookie.X`, `baseUrl`, `run`,
 * `runs` and capture names. A missing name is an error, never an empty string: an empty
 * CSRF header or lock token would only surface later as a confusing 403.
 */

const PLACEHOLDER = /\{\{\s*([^{}\s]*)\s*\}\}/g;
const WHOLE_PLACEHOLDER = /^\{\{\s*([^{}\s]*)\s*\}\}$/;

/** Where template names are looked up. */
export interface TemplateScope {
  /** The value, or undefined when the name is not set. */
  get(name: string): unknown;
  /** Why the name is missing and what is known instead, for the error message. */
  explainMissing(name: string): string;
}

export class TemplateError extends Error {
  readonly variable: string;
  constructor(variable: string, explanation: string) {
    // A missing cookie is the server's doing, not a typo: say what was asked and what came back.
    super(variable.startsWith('cookie.') ? explanation : `unknown template variable "${variable}" (${explanation})`);
    this.name = 'TemplateError';
    this.variable = variable;
  }
}

/** Every name referenced by `{{…}}` in text, in order of appearance (duplicates kept). */
export function templateVariables(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

/** Every name referenced in any string inside a JSON-like value (keys included). */
export function templateVariablesDeep(value: unknown): string[] {
  if (typeof value === 'string') return templateVariables(value);
  if (Array.isArray(value)) return value.flatMap(templateVariablesDeep);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [...templateVariables(k), ...templateVariablesDeep(v)]);
  }
  return [];
}

function lookup(scope: TemplateScope, name: string): unknown {
  if (name === '') throw new TemplateError(name, 'empty placeholder {{}}');
  const value = scope.get(name);
  if (value === undefined) throw new TemplateError(name, scope.explainMissing(name));
  return value;
}

/** Text form of a value: strings as is, everything else as JSON (`7`, `true`, `{"a":1}`). */
export function stringifyValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Replaces every placeholder in text by the text form of its value. */
export function renderTemplate(text: string, scope: TemplateScope): string {
  return text.replace(PLACEHOLDER, (_match, name: string) => stringifyValue(lookup(scope, name)));
}

/**
 * Renders every string of a JSON body. A string that is exactly one placeholder takes the
 * raw value, so `"{{copy}}"` stays a number when the capture was a number.
 */
export function renderJson(value: unknown, scope: TemplateScope): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE_PLACEHOLDER.exec(value);
    return whole ? lookup(scope, whole[1] ?? '') : renderTemplate(value, scope);
  }
  if (Array.isArray(value)) return value.map((item) => renderJson(item, scope));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [renderTemplate(k, scope), renderJson(v, scope)]));
  }
  return value;
}

/** A scope over a plain map, for tests and simple callers. */
export function mapScope(values: Record<string, unknown>): TemplateScope {
  return {
    get: (name) => (Object.hasOwn(values, name) ? values[name] : undefined),
    explainMissing: () => `known: ${Object.keys(values).join(', ') || 'none'}`,
  };
}
