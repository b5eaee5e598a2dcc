import type { z } from 'zod';
import type { ConfigIssue } from '../common/errors.js';
import type { Origins } from './config-origins.js';
import { isPlainObject } from './merge.js';

/** Turns a zod issue into `where: message (received …)`, locating the node in the file that defines it. */
export function describeIssue(issue: z.core.$ZodIssue, origins: Origins): ConfigIssue {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const input = 'input' in issue ? issue.input : undefined;

  if (issue.code === 'invalid_union' && issue.discriminator) {
    // zod puts the discriminator at the end of the path and the whole object in `input`.
    const discriminator = issue.discriminator;
    const at = path[path.length - 1] === discriminator ? path : [...path, discriminator];
    const value = isPlainObject(input) ? input[discriminator] : undefined;
    const allowed = 'options' in issue && issue.options ? issue.options.map(String).join(', ') : '';
    const message =
      value === undefined
        ? `required: \`${discriminator}\`${allowed ? ` (one of: ${allowed})` : ''}`
        : `unknown ${discriminator} value (received ${received(value)})${allowed ? `; allowed: ${allowed}` : ''}`;
    return { where: origins.where(at, value), message };
  }
  if (issue.code === 'unrecognized_keys') {
    const [first = ''] = issue.keys;
    const value = isPlainObject(input) ? input[first] : undefined;
    return {
      where: origins.where([...path, first], value, { key: true }),
      message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`,
    };
  }

  let message = issue.message;
  if (issue.code === 'invalid_union' && message === 'Invalid input') message = `expected ${unionAlternatives(issue.errors)}`;
  // zod says "Invalid input: expected string, received number"; the value itself follows below.
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) message = `expected ${typeName(issue.expected)}`;
  if (input === undefined) {
    if (issue.code === 'invalid_type') message = `required: ${message}`;
  } else if (!isPlainObject(input) || issue.code === 'invalid_type' || issue.code === 'invalid_union') {
    // A message that already quotes the value (`invalid regular expression "(x"`) needs no repeat.
    if (!(typeof input === 'string' && input !== '' && message.includes(`"${input}"`))) message += ` (received ${received(input)})`;
  }
  return { where: origins.where(path, input), message };
}

/** `a string or a number`, from the first issue of each failed branch of a union. */
function unionAlternatives(branches: readonly (readonly z.core.$ZodIssue[])[]): string {
  const alternatives = branches.map((errors) => {
    const first = errors[0];
    if (!first) return 'another type';
    if (first.code === 'invalid_type' && first.path.length === 0) return typeName(first.expected);
    return first.message.replace(/^Invalid input: /, '');
  });
  return [...new Set(alternatives)].join(' or ') || 'another value';
}

function typeName(expected: string): string {
  return expected === 'record' || expected === 'object' ? 'a mapping (key: value)' : expected === 'array' ? 'a list' : `a ${expected}`;
}

function received(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
