import { packPrepared, toWireValue } from '../../client/protocol/codec.js';
import type { SymbolEntry } from '../../client/protocol/messages.js';
import type { SymbolState } from '../market/symbol-state.js';

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

/**
 * Encoded entries for the flush being built, keyed by (symbol, since-generation, bars): each is encoded at
 * most once per flush however many connections receive it. Cleared at every flush, so it never grows.
 */
export class PieceCache {
  private pieces = new Map<SymbolState, Map<number, Piece | null>>();
  /** Entries encoded since this cache was made: one per (symbol, since, bars) per flush at most. */
  encoded = 0;

  clear(): void {
    this.pieces = new Map();
  }

  /** The entry of what changed in `state` after generation `since`, or null when nothing did. */
  get(state: SymbolState, since: number, bars: boolean): Piece | null {
    let bySince = this.pieces.get(state);
    if (bySince === undefined) {
      bySince = new Map();
      this.pieces.set(state, bySince);
    }
    const key = since * 2 + (bars ? 1 : 0);
    let piece = bySince.get(key);
    if (piece === undefined) {
      const entry = state.entrySince(since, bars);
      piece = entry === undefined ? null : { entry, binary: packPrepared(toWireValue(entry)) };
      if (piece !== null) this.encoded++;
      bySince.set(key, piece);
    }
    return piece;
  }
}
