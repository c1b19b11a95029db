import type { BarEvent } from './bar-ledger.js';
import type { ConnectionState } from './connection.js';
import type { ErrorMessage, HelloMessage, Rejection, ReplayMessage, ServerMessage, SnapshotMessage, SymbolEntry, UpdateMessage } from './protocol/messages.js';
import type { Quote, QuoteSource } from './quote.js';
import type { Recovery } from './recovery.js';
import type { SubscriptionState } from './subscription-book.js';
import type { SymbolView } from './symbol-view.js';

/** Every state change is told as the state before and after it. */
export interface StateChange<S> {
  readonly oldState: S;
  readonly newState: S;
}

/** A symbol's subscription changed state. */
export interface SubscriptionChange extends StateChange<SubscriptionState> {
  readonly symbol: string;
  /**
   * Set when the server refused the symbol (newState `unsubscribed`): named in a `subscribed` answer's
   * `rejected`, or in a subscribe request the server refused whole (an `error` answer: its code and message).
   */
  readonly refused?: Rejection;
}

/** A jump in `seq`: frames expected..received-1 were lost. */
export interface Gap {
  readonly expected: number;
  readonly received: number;
}

/** Everything a TickerClient tells, in the order documented in docs/client.md#events. */
export interface ClientEvents {
  /** The connection changed state. */
  state: [StateChange<ConnectionState>];
  /** A symbol's subscription changed state. */
  subscription: [SubscriptionChange];
  /** The server's greeting on a new connection (the version negotiated). */
  hello: [HelloMessage];
  /** A symbol's view took a snapshot (its first state, or a restore). */
  snapshot: [SymbolView, SnapshotMessage];
  /** A symbol's view merged one update entry. */
  update: [SymbolView, SymbolEntry];
  /** A whole update frame was merged (after its `update`, `quote` and `bar` events). */
  frame: [UpdateMessage];
  /** A symbol's state changed: its latest quote, and why it is told. */
  quote: [Quote, QuoteSource];
  /** A 1 s bar was added or changed (docs/client.md#bars). */
  bar: [BarEvent];
  /** A frame was lost (seq jumped); the client recovers (`recovered` follows). */
  gap: [Gap];
  /** After a reconnect or a gap, every symbol is whole again. */
  recovered: [Recovery];
  /**
   * The server's replay went back in time (a seek back, a loop): every bar told before is void. Fresh
   * snapshots follow, and bar events start again from the new position (docs/client.md#replays).
   */
  rewind: [ReplayMessage];
  /** An error answer nobody waited for, or a failure of the connection (the client carries on). */
  error: [ErrorMessage | Error];
  /** Every message received, after the client has handled it. */
  message: [ServerMessage];
}
