/**
 * The async-iteration side of the client: `client.quotes(...)` and `client.bars(...)`. Each stream holds
 * its own subscriptions (released when it ends), listens to the client's events, and buffers for a slow
 * `for await` loop with latest-value conflation (ConflatingStream): never an unbounded queue.
 */
import type { BarEvent } from './bar-ledger.js';
import type { ClientEvents } from './events.js';
import { ConflatingStream } from './conflating-stream.js';
import { ClientError, RequestFailed } from './errors.js';
import { IntervalBars } from './interval-bars.js';
import { INTERVAL_MS, type Interval, type Rejection } from './protocol/messages.js';
import { quoteOf, type Quote } from './quote.js';
import type { Holder, SubscribeOptions } from './subscription-book.js';
import type { SymbolView } from './symbol-view.js';

/** What quotes() and bars() return: an async iterator whose return() (what `break` calls) is always there. */
export interface ClientStream<T> extends AsyncIterableIterator<T, undefined, undefined> {
  /** Stops the stream and lets go of the subscriptions only it held. */
  return(): Promise<IteratorResult<T, undefined>>;
  /** Values waiting for the consumer now (bounded: one per symbol, or per bar). */
  readonly size: number;
}

/** Bar events a `bars()` stream holds for a slow consumer before it fails with SLOW_CONSUMER. */
export const MAX_BUFFERED_BARS = 10_000;

/** Options of client.quotes(): how the symbols are subscribed (bars are never needed for quotes). */
export type QuoteStreamOptions = Omit<SubscribeOptions, 'bars'>;

/** Options of client.bars(); the symbols are subscribed with bars. */
export interface BarStreamOptions extends Omit<SubscribeOptions, 'bars' | 'snapshot'> {
  /** Bar length (default `1s`); longer bars are folded from 1 s bars exactly as the server folds them. */
  readonly interval?: Interval;
  /** Also yield the forming bar each time it changes (`closed: false`); default: closed bars only. */
  readonly forming?: boolean;
  /** Bar events held for a slow consumer at most (default MAX_BUFFERED_BARS); then the stream fails. */
  readonly maxBufferedBars?: number;
}

/** What a stream needs from its client. */
export interface StreamHost {
  on<K extends keyof ClientEvents>(event: K, listener: (...args: ClientEvents[K]) => void): () => void;
  view(symbol: string): SymbolView | undefined;
  /** Every symbol's view. */
  views(): Iterable<SymbolView>;
  hold(holder: Holder, symbols: readonly string[], options: SubscribeOptions): void;
  release(holder: Holder, symbols: readonly string[]): void;
  /** undefined while running; null after close(); the error after a failure it will not retry. */
  closeReason(): Error | null | undefined;
}

function accepts(symbols: readonly string[]): (symbol: string) => boolean {
  if (symbols.includes('*')) return () => true;
  const set = new Set(symbols);
  return (symbol) => set.has(symbol);
}

/**
 * Fails `stream` once the server has refused every symbol it names (a wildcard stream never): its loop
 * would otherwise wait for ever. The error is a RequestFailed with the refusal's code; with several symbols
 * its message names each. Symbols refused while others stay are only told (`subscription` events).
 */
function failWhenAllRefused<T>(host: StreamHost, symbols: readonly string[], stream: ConflatingStream<T>): () => void {
  const named = new Set(symbols);
  if (named.has('*')) return () => {};
  const refused = new Map<string, Rejection>();
  return host.on('subscription', ({ symbol, refused: rejection }) => {
    if (rejection === undefined || !named.has(symbol)) return;
    refused.set(symbol, rejection);
    if (refused.size < named.size) return;
    const all = [...refused.values()];
    const message = all.length === 1 ? all[0]!.message : `every symbol was refused: ${all.map((r) => `${r.symbol} (${r.code}: ${r.message})`).join('; ')}`;
    stream.fail(new RequestFailed({ type: 'error', code: all[0]!.code, message }));
  });
}

/** Ends `stream` as the client did: done after close(), failed after an unrecoverable error. True if it ended. */
function endedWithClient<T>(host: StreamHost, stream: ConflatingStream<T>): boolean {
  const reason = host.closeReason();
  if (reason instanceof Error) stream.fail(reason);
  else if (reason === null) stream.end();
  return reason !== undefined;
}

/** Ends `stream` when the client stops for good (see endedWithClient). */
function endWithClient<T>(host: StreamHost, stream: ConflatingStream<T>): () => void {
  return host.on('state', ({ newState }) => {
    if (newState === 'disconnected') endedWithClient(host, stream);
  });
}

/** client.quotes(): see TickerClient.quotes. */
export function quoteStream(host: StreamHost, symbols: readonly string[], options: QuoteStreamOptions): ClientStream<Quote> {
  const holder: Holder = {};
  const wanted = accepts(symbols);
  let unlisten: (() => void)[] = [];
  const stream: ConflatingStream<Quote> = new ConflatingStream<Quote>({
    start: () => {
      // Started after the client stopped: no state change will come to end it. No symbols: nothing to wait for.
      if (endedWithClient(host, stream)) return;
      if (symbols.length === 0) return stream.end();
      unlisten = [
        host.on('quote', (quote, source) => {
          if (wanted(quote.symbol) && !(source === 'snapshot' && options.snapshot === false)) stream.push(quote.symbol, quote);
        }),
        endWithClient(host, stream),
        failWhenAllRefused(host, symbols, stream),
      ];
      if (options.snapshot !== false) {
        // Symbols already live on this client get no new snapshot: start from their current state.
        for (const view of host.views()) if (wanted(view.symbol)) stream.push(view.symbol, quoteOf(view));
      }
      host.hold(holder, symbols, { ...options, bars: false });
    },
    stop: () => {
      for (const off of unlisten) off();
      host.release(holder, symbols);
    },
    overflow: (max) => new ClientError('SLOW_CONSUMER', `more than ${max} symbols waiting`),
  });
  return stream;
}

/** client.bars(): see TickerClient.bars. */
export function barStream(host: StreamHost, symbols: readonly string[], options: BarStreamOptions): ClientStream<BarEvent> {
  const holder: Holder = {};
  const wanted = accepts(symbols);
  const intervalMs = INTERVAL_MS[options.interval ?? '1s'];
  const maxBuffered = options.maxBufferedBars ?? MAX_BUFFERED_BARS;
  const folders = new Map<string, IntervalBars>();
  /**
   * Bars are told from the first interval after the newest bar of the state the stream started from: the
   * view's, if the symbol was live already, else its first snapshot's; with neither, the interval of the
   * first bar seen is skipped (its earlier seconds are unknown).
   */
  const startFolder = (symbol: string, newest: number): IntervalBars => {
    const folder = new IntervalBars(symbol, intervalMs, IntervalBars.after(newest, intervalMs));
    folders.set(symbol, folder);
    return folder;
  };
  let unlisten: (() => void)[] = [];
  const stream: ConflatingStream<BarEvent> = new ConflatingStream<BarEvent>(
    {
      start: () => {
        if (endedWithClient(host, stream)) return;
        if (symbols.length === 0) return stream.end();
        for (const view of host.views()) if (wanted(view.symbol)) startFolder(view.symbol, view.newestBarTime);
        unlisten = [
          host.on('snapshot', (_view, message) => {
            if (wanted(message.symbol) && !folders.has(message.symbol)) startFolder(message.symbol, message.data.k?.at(-1)?.[0] ?? Number.NaN);
          }),
          // Bars folded before a rewind belong to a timeline that is gone: fold again from the snapshots.
          host.on('rewind', () => folders.clear()),
          host.on('bar', (event) => {
            if (!wanted(event.symbol)) return;
            const folder = folders.get(event.symbol) ?? startFolder(event.symbol, host.view(event.symbol)?.newestBarTime ?? Number.NaN);
            for (const folded of folder.push(event)) {
              if (folded.closed || options.forming === true) stream.push(`${folded.symbol}\u0000${folded.bar[0]}`, folded);
            }
          }),
          endWithClient(host, stream),
          failWhenAllRefused(host, symbols, stream),
        ];
        host.hold(holder, symbols, { maxRate: options.maxRate, bars: true });
      },
      stop: () => {
        for (const off of unlisten) off();
        host.release(holder, symbols);
      },
      overflow: (max) => new ClientError('SLOW_CONSUMER', `the consumer fell more than ${max} bars behind`),
    },
    maxBuffered,
  );
  return stream;
}
