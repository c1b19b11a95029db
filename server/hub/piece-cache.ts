import type { SymbolEntry } from '../../client/protocol/messages.js';
import type { SymbolState } from '../market/symbol-state.js';
import { packEntry } from './entry-pack.js';

/** One symbol's entry, encoded once and shared by every frame that carries it. */
export interface Piece {
  readonly entry: SymbolEntry;
  readonly binary: Uint8Array;
  /** JSON text of the entry, made the first time a JSON connection needs it. */
  text?: string;
}

export function pieceText(piece: Piece): string {
  piece.text ??= JSON.stringify(piece.entry);
  return piece.text;
}

/** Pieces by key: what a body (frames.ts) copies its entries from. */
export interface PieceSource {
  piece(key: number): Piece;
  /** The piece's bytes (its `binary`). */
  binary(key: number): Uint8Array;
}

/** The pieces of a list, keyed by position. */
export class PieceList implements PieceSource {
  constructor(private readonly pieces: readonly Piece[]) {}

  piece(key: number): Piece {
    return this.pieces[key]!;
  }

  binary(key: number): Uint8Array {
    return this.pieces[key]!.binary;
  }
}

/** The key of a symbol's in-step piece (PieceCache): two per symbol, without and with bars. */
export function inStepKey(index: number, bars: boolean): number {
  return 2 * index + (bars ? 1 : 0);
}

/** A reusable list of piece keys, grown when a body needs more. */
export class KeyList {
  keys = new Int32Array(64);

  /** The list, with room for at least `count` keys (a new one when it had less: earlier keys are not kept). */
  reserve(count: number): Int32Array {
    if (this.keys.length < count) this.keys = new Int32Array(Math.max(count, this.keys.length * 2));
    return this.keys;
  }
}

/**
 * Encoded entries for the flush being built, keyed by (symbol, since-generation, bars): each is encoded at
 * most once per flush however many connections receive it. Cleared at every flush, so it never grows
 * past the market.
 *
 * Nearly every lookup is for the flush's in-step generation (connections that got the previous flush). A
 * piece of that generation has the key `inStepKey(index, bars)` (the symbol's index in the market), and its
 * byte length is in a table by key (`inStepSizes`): a group's loop over its symbols reads a small array of
 * numbers and writes keys, with no object to follow per symbol (group.ts). Paused and rate-limited
 * connections' other generations go through a map and get negative keys.
 */
export class PieceCache implements PieceSource {
  private inStepSince = Number.NaN;
  /** In-step entries' byte lengths by key: 0 not encoded yet, -1 nothing changed. */
  private sizes = new Int32Array(0);
  /** In-step pieces by key, where `sizes` is positive. */
  private inStep: (Piece | undefined)[] = [];
  /** Their bytes by key: what a frame copies, one step from the key rather than two through the piece. */
  private inStepBinaries: (Uint8Array | undefined)[] = [];
  /** Other generations' pieces: key -1 - i is others[i]. */
  private others: Piece[] = [];
  /** Their keys by symbol, then by `since * 2 + bars`; null when nothing changed. */
  private otherKeys = new Map<SymbolState, Map<number, number | null>>();
  /** Entries encoded since this cache was made: one per (symbol, since, bars) per flush at most. */
  encoded = 0;

  /**
   * Empties the cache for a new flush whose in-step connections need what changed after `inStepSince`, on
   * a market of `symbols` symbols.
   */
  clear(inStepSince: number, symbols: number): void {
    this.inStepSince = inStepSince;
    // Every in-step key of the market's symbols is below the first key past them.
    const keys = inStepKey(symbols, false);
    if (this.sizes.length < keys) {
      this.sizes = new Int32Array(keys);
      this.inStep = new Array<Piece | undefined>(keys).fill(undefined);
      this.inStepBinaries = new Array<Uint8Array | undefined>(keys).fill(undefined);
    } else {
      this.sizes.fill(0);
      this.inStep.fill(undefined);
      this.inStepBinaries.fill(undefined);
    }
    if (this.others.length > 0) this.others = [];
    if (this.otherKeys.size > 0) this.otherKeys = new Map();
  }

  /**
   * The in-step byte lengths by key when `since` is the in-step generation (else undefined): positive for a
   * piece, -1 when nothing changed, 0 when fillInStep() has not been asked yet. Valid until clear().
   */
  inStepSizes(since: number): Readonly<Int32Array> | undefined {
    return since === this.inStepSince ? this.sizes : undefined;
  }

  /** Encodes `state`'s in-step piece: its byte length, or -1 when nothing changed. */
  fillInStep(state: SymbolState, bars: boolean): number {
    const key = inStepKey(state.index, bars);
    const piece = this.encode(state, this.inStepSince, bars);
    this.inStep[key] = piece ?? undefined;
    this.inStepBinaries[key] = piece?.binary;
    return (this.sizes[key] = piece === null ? -1 : piece.binary.length);
  }

  binary(key: number): Uint8Array {
    return key >= 0 ? this.inStepBinaries[key]! : this.others[-1 - key]!.binary;
  }

  /** The key of what changed in `state` after generation `since`, or undefined when nothing did. */
  key(state: SymbolState, since: number, bars: boolean): number | undefined {
    if (since === this.inStepSince) {
      const key = inStepKey(state.index, bars);
      const size = this.sizes[key] === 0 ? this.fillInStep(state, bars) : this.sizes[key]!;
      return size > 0 ? key : undefined;
    }
    let bySince = this.otherKeys.get(state);
    if (bySince === undefined) {
      bySince = new Map();
      this.otherKeys.set(state, bySince);
    }
    const variant = since * 2 + (bars ? 1 : 0);
    let key = bySince.get(variant);
    if (key === undefined) {
      const piece = this.encode(state, since, bars);
      key = piece === null ? null : -1 - (this.others.push(piece) - 1);
      bySince.set(variant, key);
    }
    return key ?? undefined;
  }

  piece(key: number): Piece {
    return key >= 0 ? this.inStep[key]! : this.others[-1 - key]!;
  }

  /** The byte length of the piece under `key`. */
  size(key: number): number {
    return key >= 0 ? this.sizes[key]! : this.others[-1 - key]!.binary.length;
  }

  private encode(state: SymbolState, since: number, bars: boolean): Piece | null {
    const entry = state.entrySince(since, bars);
    if (entry === undefined) return null;
    this.encoded++;
    return { entry, binary: packEntry(entry) };
  }
}
