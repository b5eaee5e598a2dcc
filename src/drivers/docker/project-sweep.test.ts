import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type Docker from 'dockerode';
import { RgEnvironmentError } from '../../common/errors.js';
import { sweepProject } from './project-sweep.js';

/*
 * The engine's own faults, which a real engine cannot be made to produce on demand: a stub
 * Engine API (the disconnect path itself runs on a real engine in fresh-evidence.docker.test.ts).
 */
const LABELS = { project: 'com.docker.compose.project', managed: 'dev.release-gate.managed' };
const sink = () => {
  const lines: string[] = [];
  return { write: (c: string | Buffer) => void lines.push(String(c)), line: (t: string) => void lines.push(t), lines };
};

function engine(overrides: { listContainers?: () => Promise<unknown>; networkRemove?: () => Promise<unknown> }): Docker {
  const disconnected: string[] = [];
  return {
    disconnected,
    listContainers: overrides.listContainers ?? (async () => []),
    listNetworks: async () => [{ Id: 'n1', Name: 'p_default' }],
    listVolumes: async () => ({ Volumes: [] }),
    getContainer: () => ({ inspect: async () => ({ Config: { Labels: {} } }) }),
    getNetwork: () => ({
      remove: overrides.networkRemove ?? (async () => undefined),
      inspect: async () => ({ Containers: { c1: { Name: 'someone-else' } } }),
      disconnect: async (o: { Container: string }) => void disconnected.push(o.Container),
    }),
  } as unknown as Docker;
}

describe('sweepProject: the engine\'s faults', () => {
  it('is exit 3 naming the network, the engine\'s message and the commands that fix it, when the engine keeps refusing after disconnecting (moby#43286)', async () => {
    const docker = engine({ networkRemove: async () => Promise.reject(new Error('(HTTP code 403) error while removing network: network p_default id n1 has active endpoints')) });
    const out = sink();
    await assert.rejects(sweepProject(docker, 'p', LABELS, { volumes: true, output: out }), (err: unknown) => {
      assert.ok(err instanceof RgEnvironmentError);
      assert.equal(err.code, 'RG_ENGINE_FAULT');
      assert.equal(err.exitCode, 3);
      assert.match(err.message, /refuses to remove network p_default .*has active endpoints.*moby#43286/);
      assert.match(err.message, /docker network disconnect -f p_default <endpoint>.*docker network rm p_default/);
      return true;
    });
    assert.deepEqual((docker as unknown as { disconnected: string[] }).disconnected, ['c1', 'c1', 'c1']);
    assert.match(out.lines.join('\n'), /disconnected someone-else \(container release-gate does not own: left running\)/);
  });

  it('is exit 3 when the Engine API itself fails, with the command that fixes it', async () => {
    const docker = engine({ listContainers: async () => Promise.reject(new Error('(HTTP code 500) server error - containerd: connection refused')) });
    await assert.rejects(sweepProject(docker, 'p', LABELS, { volumes: true, output: sink() }), (err: unknown) => {
      assert.ok(err instanceof RgEnvironmentError);
      assert.equal(err.exitCode, 3);
      assert.match(err.message, /engine failed while removing project p: .*containerd: connection refused.*docker info.*systemctl restart docker/);
      return true;
    });
  });

  it('removes a network freed by detaching a container it does not own, and leaves nothing', async () => {
    let calls = 0;
    const docker = engine({ networkRemove: async () => (calls++ === 0 ? Promise.reject(new Error('network p_default id n1 has active endpoints')) : undefined) });
    const out = sink();
    const left = await sweepProject(
      { ...docker, listNetworks: async () => (calls >= 2 ? [] : [{ Id: 'n1', Name: 'p_default' }]) } as unknown as Docker,
      'p',
      LABELS,
      { volumes: true, output: out },
    );
    assert.deepEqual(left, []);
    assert.match(out.lines.join('\n'), /removed, once its endpoints were detached, network p_default/);
  });
});
