import {
  TickerClient,
  type HelloMessage,
  type SubscribeOptions,
  type WebSocketConstructor,
} from '../../../client/index.js';
import { LinkStats } from './link-stats.svelte.js';
import { SymbolDirectory } from './symbol-directory.svelte.js';

/** The connection as people see it: `reconnecting` is `connecting` after having been connected. */
export type LinkState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/** `ws(s)://<host>/ws` of the page's own server. */
export function socketUrlFor(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

export interface MarketOptions {
  readonly url: string;
  readonly directoryUrl?: string;
  readonly WebSocket?: WebSocketConstructor;
}

/**
 * The dashboard's one connection: a TickerClient (which reconnects and resubscribes by itself), the symbol
 * directory, and the figures the connection badge shows.
 */
export class Market {
  readonly client: TickerClient;
  readonly stats = new LinkStats();
  readonly directory: SymbolDirectory;
  link = $state<LinkState>('connecting');
  /** The current server's greeting. */
  hello = $state.raw<HelloMessage | undefined>(undefined);

  private everConnected = false;
  private readonly unlisten: readonly (() => void)[];

  constructor(options: MarketOptions) {
    this.client = new TickerClient({ url: options.url, WebSocket: options.WebSocket });
    this.directory = new SymbolDirectory(options.directoryUrl);
    this.unlisten = [
      this.client.on('state', ({ newState }) => {
        if (newState === 'connected') this.everConnected = true;
        else this.stats.reset();
        this.link =
          newState === 'connected'
            ? 'connected'
            : newState === 'connecting'
              ? this.everConnected
                ? 'reconnecting'
                : 'connecting'
              : 'offline';
      }),
      this.client.on('hello', (hello) => {
        this.hello = hello;
        // A restarted server may list other symbols.
        void this.directory.load().then(() => this.stopIfDenied());
      }),
      this.client.on('frame', (frame) => this.stats.onFrame(frame)),
    ];
  }

  start(): void {
    this.client.connect();
    this.stats.start();
    void this.directory.load().then(() => this.stopIfDenied());
  }

  /** Refused access (no token, a bad one): reconnecting cannot help, so the connection stops trying. */
  private stopIfDenied(): void {
    if (this.directory.denied !== undefined) this.client.close();
  }

  stop(): void {
    for (const off of this.unlisten) off();
    this.client.close();
    this.stats.stop();
    this.directory.stop();
  }

  /**
   * Makes the subscriptions exactly these: `watched` without bars, `charted` with 1 s bars (the chart folds
   * them), nothing else. Only differences are sent; the client resends everything after a reconnect, except
   * the symbols the server refused (it forgets them): calling this again asks for those again. Refusals
   * are told by the client's `subscription` events.
   */
  track(watched: readonly string[], charted: string | undefined): void {
    const wanted = new Map<string, boolean>();
    for (const symbol of watched) wanted.set(symbol, false);
    if (charted !== undefined) wanted.set(charted, true);
    const current = this.client.subscriptions();
    const gone = [...current.keys()].filter((symbol) => !wanted.has(symbol));
    if (gone.length > 0) this.client.unsubscribe(gone).catch(ignoreLostConnection);
    for (const bars of [false, true]) {
      const symbols = [...wanted].filter(([symbol, b]) => b === bars && current.get(symbol)?.bars !== bars).map(([symbol]) => symbol);
      if (symbols.length === 0) continue;
      const options: SubscribeOptions = { bars };
      this.client.subscribe(symbols, options).catch(ignoreLostConnection);
    }
  }
}

/**
 * A request cut short by a lost connection (the client resubscribes when it reconnects), or refused whole
 * (each symbol's refusal is told as a `subscription` event).
 */
function ignoreLostConnection(): void {}
