import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TeardownStack } from './teardown-stack.js';

describe('TeardownStack', () => {
  it('runs teardowns last-in first-out and keeps going after one fails', async () => {
    const stack = new TeardownStack();
    const ran: string[] = [];
    stack.push('release the driver', () => void ran.push('close'));
    stack.push('stop the stack', async () => {
      ran.push('down');
      throw new Error('compose down exited 1');
    });
    stack.push('stop the watch', () => void ran.push('unwatch'));
    const failures = await stack.runAll();
    assert.deepEqual(ran, ['unwatch', 'down', 'close']);
    assert.deepEqual(failures.map(({ title, error }) => ({ title, error })), [{ title: 'stop the stack', error: 'compose down exited 1' }]);
    assert.equal(stack.size, 0);
  });
});
