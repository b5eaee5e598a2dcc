import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { parsePortEntry, type PublishedPort } from './compose-ports.js';

describe('parsePortEntry', () => {
  const table: { entry: unknown; want: { hostIp: string; port: number; protocol: string }[] }[] = [
    { entry: { mode: 'ingress', host_ip: '127.0.0.1', target: 80, published: '8088', protocol: 'tcp' }, want: [{ hostIp: '127.0.0.1', port: 8088, protocol: 'tcp' }] },
    { entry: { target: 80, published: 8088 }, want: [{ hostIp: '', port: 8088, protocol: 'tcp' }] },
    { entry: { target: 80 }, want: [] },
    { entry: '127.0.0.1:8088:80/tcp', want: [{ hostIp: '127.0.0.1', port: 8088, protocol: 'tcp' }] },
    { entry: '8088:80', want: [{ hostIp: '', port: 8088, protocol: 'tcp' }] },
    { entry: '5353:53/udp', want: [{ hostIp: '', port: 5353, protocol: 'udp' }] },
    { entry: '[::1]:9000:9000', want: [{ hostIp: '::1', port: 9000, protocol: 'tcp' }] },
    { entry: '9000-9001:80-81', want: [{ hostIp: '', port: 9000, protocol: 'tcp' }, { hostIp: '', port: 9001, protocol: 'tcp' }] },
    { entry: '80', want: [] },
    { entry: 80, want: [] },
  ];
  for (const c of table) {
    it(`reads ${JSON.stringify(c.entry)}`, () => {
      assert.deepEqual(
        parsePortEntry('web', c.entry).map(({ hostIp, published: port, protocol }) => ({ hostIp, port, protocol })),
        c.want,
      );
    });
  }
});

/**
 * The inputs where init's parser (config/) and the driver's (drivers/compose/) disagreed before
 * they became this one: init dropped ranges, UDP and `0`-less checks, kept `[v6]` brackets; the
 * driver read no target, took `/sctp` for TCP and published port 0.
 */
describe('parsePortEntry: one reading for init and the drivers', () => {
  const p = (published: number, target: number, more: Partial<PublishedPort> = {}): PublishedPort => ({ service: 'web', hostIp: '', published, target, protocol: 'tcp', inRange: false, ...more });
  const table: [string, unknown, PublishedPort[]][] = [
    ['short published:target', '8080:80', [p(8080, 80)]],
    ['short with a host address', '127.0.0.1:8080:80', [p(8080, 80, { hostIp: '127.0.0.1' })]],
    ['short with a bracketed IPv6 host: the address without brackets', '[::1]:8080:80', [p(8080, 80, { hostIp: '::1' })]],
    ['two ranges of a length, paired port by port', '9000-9001:80-81', [p(9000, 80, { inRange: true }), p(9001, 81, { inRange: true })]],
    ['a host range onto one container port', '8000-8002:80', [p(8000, 80, { inRange: true }), p(8001, 80, { inRange: true }), p(8002, 80, { inRange: true })]],
    ['ranges of different lengths: not a mapping compose accepts', '9000-9001:80-82', []],
    ['udp', '5353:53/udp', [p(5353, 53, { protocol: 'udp' })]],
    ['sctp is not tcp', '8080:80/sctp', [p(8080, 80, { protocol: 'sctp' })]],
    ['an unknown protocol', '8080:80/quic', []],
    ['long syntax, published a number', { target: 80, published: 8088, host_ip: '127.0.0.1', protocol: 'tcp' }, [p(8088, 80, { hostIp: '127.0.0.1' })]],
    ['long syntax, published a string (compose config prints it so)', { target: 80, published: '8088', protocol: 'tcp' }, [p(8088, 80)]],
    ['long syntax, a published range', { target: 80, published: '9000-9001' }, [p(9000, 80, { inRange: true }), p(9001, 80, { inRange: true })]],
    ['long syntax, udp', { target: 53, published: '5353', protocol: 'udp' }, [p(5353, 53, { protocol: 'udp' })]],
    ['long syntax without a target', { published: '8088' }, []],
    ['host port 0 is not a port', '0:80', []],
    ['a host address with an ephemeral port', '127.0.0.1::80', []],
    ['a container port only', '80', []],
    ['a name instead of a port', 'http:80', []],
  ];
  for (const [name, entry, want] of table) it(`${name}: ${JSON.stringify(entry)}`, () => assert.deepEqual(parsePortEntry('web', entry), want));
});
