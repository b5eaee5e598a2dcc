/**
 * Engine API answers kept between calls while an event stream watches the containers: a
 * container is asked again only after an event of its own. Issue 26: the Boot wait asked for
 * every container on every health event (about N² calls up to 20 services, 220 inspects/s at
 * 40). Every change a read shows comes with an event the stream asks for (start, die, restart,
 * oom, health_status, pause, unpause, kill, stop, create, destroy), except the health of a
 * paused container, which the health poll finds and reports through invalidateAll(). So no
 * periodic full read: with no stream open (or once it ended) every read goes to the engine.
 */
export class EngineReadCache {
  private streams = 0;
  private readonly entries = new Map<string, unknown>();
  /** Bumped by every invalidation: a read that began before one must not be kept. */
  private generation = 0;
  private readonly touchedAt = new Map<string, number>();
  private allTouchedAt = 0;

  /** An event stream opened: reads may be kept from now on. Returns its end (stopped, failed, engine gone). */
  attach(): () => void {
    this.streams++;
    this.invalidateAll();
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      this.streams--;
      this.invalidateAll();
    };
  }

  /** An event about these keys (a container's inspect, the project's list): their next read asks the engine. */
  invalidate(...keys: string[]): void {
    this.generation++;
    for (const key of keys) {
      this.touchedAt.set(key, this.generation);
      this.entries.delete(key);
    }
  }

  /** Something changed that no event names: every next read asks the engine. */
  invalidateAll(): void {
    this.generation++;
    this.allTouchedAt = this.generation;
    this.entries.clear();
    this.touchedAt.clear();
  }

  /** The kept answer for key, or fetch's (kept only when no event about key came while it ran). */
  async read<T>(key: string, fetch: () => Promise<T>): Promise<T> {
    if (this.entries.has(key)) return this.entries.get(key) as T;
    const began = this.generation;
    const value = await fetch();
    if (this.streams > 0 && this.allTouchedAt <= began && (this.touchedAt.get(key) ?? 0) <= began) this.entries.set(key, value);
    return value;
  }
}

/** The cache key of one container's inspect. */
export const inspectKey = (id: string): string => `inspect:${id}`;
/** The cache key of the project's container list. */
export const LIST_KEY = 'list';
