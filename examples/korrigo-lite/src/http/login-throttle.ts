import { Redis } from 'ioredis';

/** Counts failed logins per client and username inside a time window. */
export interface LoginThrottle {
  /** Failures recorded so far in the window. */
  failures(key: string): Promise<number>;
  recordFailure(key: string): Promise<void>;
  reset(key: string): Promise<void>;
  /** Backend name for /api/health/ready/, throws when unreachable. */
  ping(): Promise<string>;
  close(): Promise<void>;
}

export const MAX_LOGIN_FAILURES = 10;
const WINDOW_SECONDS = 300;

class MemoryLoginThrottle implements LoginThrottle {
  private readonly entries = new Map<string, { count: number; until: number }>();

  async failures(key: string): Promise<number> {
    const entry = this.entries.get(key);
    return entry && entry.until > Date.now() ? entry.count : 0;
  }

  async recordFailure(key: string): Promise<void> {
    const count = (await this.failures(key)) + 1;
    this.entries.set(key, { count, until: Date.now() + WINDOW_SECONDS * 1000 });
  }

  async reset(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async ping(): Promise<string> {
    return 'memory';
  }

  async close(): Promise<void> {}
}

class RedisLoginThrottle implements LoginThrottle {
  private readonly redis: Redis;
  private warned = false;

  constructor(url: string) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: false });
    // ioredis reconnects by itself; say once that it is down rather than once per retry.
    this.redis.on('error', (err: Error) => {
      if (!this.warned) console.warn(`WARNING redis unreachable (${err.message}); retrying`);
      this.warned = true;
    });
    this.redis.on('ready', () => {
      this.warned = false;
    });
  }

  private key(key: string): string {
    return `korrigo-lite:login-failures:${key}`;
  }

  async failures(key: string): Promise<number> {
    return Number((await this.redis.get(this.key(key))) ?? 0);
  }

  async recordFailure(key: string): Promise<void> {
    await this.redis.multi().incr(this.key(key)).expire(this.key(key), WINDOW_SECONDS).exec();
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.key(key));
  }

  async ping(): Promise<string> {
    await this.redis.ping();
    return 'redis';
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

/** Redis when REDIS_URL is set, so several backend processes share the counts; memory otherwise. */
export function createLoginThrottle(redisUrl: string | undefined): LoginThrottle {
  return redisUrl ? new RedisLoginThrottle(redisUrl) : new MemoryLoginThrottle();
}
