/** A small typed event emitter that runs in browsers and Node alike. */
export type Listener<Args extends unknown[]> = (...args: Args) => void;

type ListenerSets<Events extends { [K in keyof Events]: unknown[] }> = {
  [K in keyof Events]?: Set<Listener<Events[K]>>;
};

/** Listeners per event name, typed by an `Events` map of argument tuples. */
export class Emitter<Events extends { [K in keyof Events]: unknown[] }> {
  private readonly listeners: ListenerSets<Events> = {};

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const set = (this.listeners[event] ??= new Set());
    set.add(listener);
    return () => this.off(event, listener);
  }

  /** Adds a listener called at most once; returns the function that removes it. */
  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const off = this.on(event, (...args) => {
      off();
      listener(...args);
    });
    return off;
  }

  /** Removes a listener. */
  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    this.listeners[event]?.delete(listener);
  }

  /** Whether anything listens to `event` (to skip building what nobody reads). */
  hasListeners(event: keyof Events): boolean {
    return (this.listeners[event]?.size ?? 0) > 0;
  }

  protected emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    const set = this.listeners[event];
    if (set === undefined) return;
    for (const listener of set) listener(...args);
  }
}
