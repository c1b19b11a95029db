import { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import { REDIS_CONNECT_TIMEOUT_MS, REDIS_RECONNECT_MAX_DELAY_MS } from './config.js';

/** First pause before reconnecting; it doubles per failed attempt up to REDIS_RECONNECT_MAX_DELAY_MS. */
const FIRST_RECONNECT_DELAY_MS = 50;

/**
 * One connection to Redis that reconnects by itself (ioredis) and tells its owner when it is usable. No
 * command waits in a queue while the connection is down: it fails at once (enableOfflineQueue off), and the
 * owner waits for `ready()` and then resynchronises, which a queue of stale commands could not do.
 */
export class RedisLink {
  readonly client: Redis;
  /** Times the connection was lost after being ready. */
  disconnects = 0;
  private everReady = false;
  /** Between a 'ready' and the 'close' that follows it. */
  private up = false;
  private closing = false;
  private readonly waiters = new Set<() => void>();
  private readonly readyListeners = new Set<() => void>();
  private readonly lostListeners = new Set<() => void>();

  constructor(url: string, name: string, log: FastifyBaseLogger) {
    this.client = new Redis(url, {
      connectionName: `tickertape-${name}`,
      // RESP2: the reply shapes stored-state.ts parses (RESP3 answers XREAD with a map).
      protocol: 2,
      lazyConnect: true,
      enableOfflineQueue: false,
      // A command sent just before the link dropped fails rather than being sent again on the new link.
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
      retryStrategy: (attempt) => Math.min(FIRST_RECONNECT_DELAY_MS * 2 ** Math.min(attempt - 1, 10), REDIS_RECONNECT_MAX_DELAY_MS),
    });
    this.client.on('ready', () => {
      if (this.everReady) log.info({ redis: name }, 'Redis connection back');
      this.everReady = true;
      this.up = true;
      for (const waiter of this.waiters) waiter();
      this.waiters.clear();
      for (const listener of this.readyListeners) listener();
    });
    this.client.on('close', () => {
      if (this.up && !this.closing) {
        this.disconnects++;
        log.warn({ redis: name }, 'Redis connection lost; reconnecting');
        for (const listener of this.lostListeners) listener();
      }
      this.up = false;
    });
    // Failures are reported through state and the logs above; an unhandled 'error' event would end the process.
    this.client.on('error', (error: Error) => log.debug({ err: error, redis: name }, 'Redis connection error'));
    this.client.connect().catch(() => {
      // The retry strategy keeps trying; 'ready' says when it worked.
    });
  }

  get connected(): boolean {
    return this.client.status === 'ready';
  }

  /** Calls `listener` each time the connection becomes ready (the first time and after every reconnection). */
  onReady(listener: () => void): () => void {
    this.readyListeners.add(listener);
    return () => this.readyListeners.delete(listener);
  }

  /** Calls `listener` each time the connection is lost after being ready (as `disconnects` counts). */
  onLost(listener: () => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  /** Resolves once the connection is ready (at once if it is). */
  ready(): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
    this.client.disconnect();
  }

  get isClosing(): boolean {
    return this.closing;
  }
}
