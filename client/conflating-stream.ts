/**
 * The buffer between the client and a slow `for await` loop. It holds at most one value per key: a newer
 * value for a key still waiting replaces it where it stands (latest-value conflation, as Lightstreamer does
 * for slow clients), so memory is bounded by the number of keys, never by how far the consumer lags. Past
 * `maxKeys` waiting values the stream fails instead of growing (a consumer that far behind must know).
 */
export class ConflatingStream<T> implements AsyncIterableIterator<T, undefined, undefined> {
  private readonly waiting = new Map<string, T>();
  private readers: { resolve(result: IteratorResult<T, undefined>): void; reject(error: Error): void }[] = [];
  private finished = false;
  private failure: Error | undefined;
  private started = false;

  constructor(
    private readonly hooks: {
      /** Called once, at the first next(): subscribe and start listening here. */
      readonly start: () => void;
      /** Called once, when the stream ends for any reason: stop listening and let go here. */
      readonly stop: () => void;
      /** Builds the error thrown when more than `maxKeys` values wait. */
      readonly overflow: (maxKeys: number) => Error;
    },
    private readonly maxKeys = Number.POSITIVE_INFINITY,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Values waiting now (at most `maxKeys`). */
  get size(): number {
    return this.waiting.size;
  }

  /** Offers a value; it replaces the one waiting under the same key, if any. */
  push(key: string, value: T): void {
    if (this.finished) return;
    const reader = this.readers.shift();
    if (reader !== undefined) {
      reader.resolve({ done: false, value });
      return;
    }
    if (!this.waiting.has(key) && this.waiting.size >= this.maxKeys) {
      this.fail(this.hooks.overflow(this.maxKeys));
      return;
    }
    this.waiting.set(key, value);
  }

  /** Ends the stream after the values still waiting. */
  end(): void {
    if (this.finished) return;
    this.finish();
    if (this.waiting.size === 0) this.settleReaders();
  }

  /** Ends the stream with `error`, dropping what waits: the next next() rejects with it. */
  fail(error: Error): void {
    if (this.finished && this.failure !== undefined) return;
    this.failure = error;
    this.waiting.clear();
    this.finish();
    this.settleReaders();
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (!this.started && !this.finished) {
      this.started = true;
      this.hooks.start();
    }
    const first = this.waiting.entries().next();
    if (!first.done) {
      this.waiting.delete(first.value[0]);
      return Promise.resolve({ done: false, value: first.value[1] });
    }
    if (this.failure !== undefined) {
      const failure = this.failure;
      this.failure = undefined;
      return Promise.reject(failure);
    }
    if (this.finished) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => this.readers.push({ resolve, reject }));
  }

  /** `break` out of a `for await` loop calls this: the stream stops and lets go of its subscriptions. */
  return(): Promise<IteratorResult<T, undefined>> {
    this.waiting.clear();
    this.failure = undefined;
    this.finish();
    this.settleReaders();
    return Promise.resolve({ done: true, value: undefined });
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.started) this.hooks.stop();
  }

  private settleReaders(): void {
    const readers = this.readers;
    this.readers = [];
    const failure = this.failure;
    if (failure !== undefined && readers.length > 0) this.failure = undefined;
    for (const reader of readers) {
      if (failure !== undefined) reader.reject(failure);
      else reader.resolve({ done: true, value: undefined });
    }
  }
}
