import { ClientError, RequestFailed } from './errors.js';
import type { RequestId, ServerMessage } from './protocol/messages.js';

interface Waiting {
  resolve(message: ServerMessage): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Requests sent and not yet answered, by id. Each waits at most `timeoutMs`; all fail at once when the
 * connection is lost (ids are per connection, so no answer can arrive for them any more).
 */
export class PendingRequests {
  private readonly waiting = new Map<RequestId, Waiting>();
  private nextId = 1;

  constructor(private readonly timeoutMs: number) {}

  newId(): number {
    return this.nextId++;
  }

  /** Waits for the answer to request `id` (of `type`, for the timeout message). */
  wait(id: RequestId, type: string): Promise<ServerMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new ClientError('TIMEOUT', `${type} request ${id} got no answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.waiting.set(id, { resolve, reject, timer });
    });
  }

  /** Settles the request `id` with `message` (an `error` rejects it). False if none was waiting. */
  settle(id: RequestId, message: ServerMessage): boolean {
    const waiting = this.waiting.get(id);
    if (waiting === undefined) return false;
    this.waiting.delete(id);
    clearTimeout(waiting.timer);
    if (message.type === 'error') waiting.reject(new RequestFailed(message));
    else waiting.resolve(message);
    return true;
  }

  has(id: RequestId): boolean {
    return this.waiting.has(id);
  }

  failAll(error: Error): void {
    for (const waiting of this.waiting.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
    }
    this.waiting.clear();
  }
}
