import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { mapScope, renderJson, renderTemplate, TemplateError, templateVariables, templateVariablesDeep } from './template.js';

const scope = mapScope({ copy: 7, token: 'abc', 'env.USER': 'prof1', 'cookie.csrftoken': 'tok', obj: { a: 1 }, empty: '' });

describe('renderTemplate', () => {
  const cases: [string, string][] = [
    ['/api/copies/{{copy}}/lock/', '/api/copies/7/lock/'],
    ['{{ copy }}', '7'],
    ['{{env.USER}}:{{cookie.csrftoken}}', 'prof1:tok'],
    ['{{obj}}', '{"a":1}'],
    ['[{{empty}}]', '[]'],
    ['no placeholders', 'no placeholders'],
    ['single { brace } stays', 'single { brace } stays'],
  ];
  for (const [input, expected] of cases) {
    it(`renders ${JSON.stringify(input)} as ${JSON.stringify(expected)}`, () => assert.equal(renderTemplate(input, scope), expected));
  }

  const errors: [string, string][] = [
    ['/api/{{cpy}}/', 'cpy'],
    ['{{env.MISSING}}', 'env.MISSING'],
    ['{{}}', ''],
  ];
  for (const [input, variable] of errors) {
    it(`fails on ${JSON.stringify(input)} naming "${variable}"`, () => {
      assert.throws(() => renderTemplate(input, scope), (err: unknown) => err instanceof TemplateError && err.variable === variable && err.message.includes(`"${variable}"`));
    });
  }
});

describe('renderJson', () => {
  const cases: [unknown, unknown][] = [
    [{ id: '{{copy}}' }, { id: 7 }],
    [{ text: 'copy {{copy}}' }, { text: 'copy 7' }],
    [['{{obj}}', 1, null, true], [{ a: 1 }, 1, null, true]],
    [{ '{{token}}': 'k' }, { abc: 'k' }],
    [{ nested: { deep: ['{{ token }}'] } }, { nested: { deep: ['abc'] } }],
  ];
  for (const [input, expected] of cases) {
    it(`renders ${JSON.stringify(input)}`, () => assert.deepEqual(renderJson(input, scope), expected));
  }
});

describe('templateVariables', () => {
  const cases: [unknown, string[]][] = [
    ['/a/{{x}}/{{ y }}/{{x}}', ['x', 'y', 'x']],
    [{ k: ['{{env.A}}', { '{{b}}': 2 }] }, ['env.A', 'b']],
    [42, []],
  ];
  for (const [input, expected] of cases) {
    it(`finds ${expected.join(', ') || 'nothing'} in ${JSON.stringify(input)}`, () => {
      assert.deepEqual(typeof input === 'string' ? templateVariables(input) : templateVariablesDeep(input), expected);
    });
  }
});
