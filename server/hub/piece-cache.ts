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

/** A slot per symbol index: undefined until asked for, null when nothing changed. */
type Slots = (Piece | null | undefined)[];

/**
 * Encoded entries for the flush being built, keyed by (symbol, since-generation, bars): each is encoded at
 * most once per flush however many connections receive it. Cleared at every flush, so it never grows.
 *
 * Nearly every lookup is for the flush's in-step generation (connections that got the previous flush), so
 * those live in arrays indexed by the symbol's position in the market; paused and rate-limited
 * connections' other generations go through a map.
 */
export class PieceCache {
  private inStepSince = Number.NaN;
  private inStep: [withoutBars: Slots, withBars: Slots] = [[], []];
  private others = new Map<SymbolState, Map<number, Piece | null>>();
  /** Entries encoded since this cache was made: one per (symbol, since, bars) per flush at most. */
  encoded = 0;

  /** Empties the cache for a new flush whose in-step connections need what changed after `inStepSince`. */
  clear(inStepSince: number): void {
    this.inStepSince = inStepSince;
    this.inStep = [[], []];
    this.others = new Map();
  }

  /**
   * The in-step pieces by symbol index when `since` is the in-step generation (else undefined): a slot
   * holding a piece or null is what get() would return; an empty slot (undefined) needs get().
   */
  inStepSlots(since: number, bars: boolean): Readonly<Slots> | undefined {
    return this.slotsFor(since, bars);
  }

  private slotsFor(since: number, bars: boolean): Slots | undefined {
    return since === this.inStepSince ? this.inStep[bars ? 1 : 0] : undefined;
  }

  /** The entry of what changed in `state` after generation `since`, or null when nothing did. */
  get(state: SymbolState, since: number, bars: boolean): Piece | null {
    const slots = this.slotsFor(since, bars);
    if (slots !== undefined) {
      let piece = slots[state.index];
      if (piece === undefined) {
        piece = this.encode(state, since, bars);
        slots[state.index] = piece;
      }
      return piece;
    }
    let bySince = this.others.get(state);
    if (bySince === undefined) {
      bySince = new Map();
      this.others.set(state, bySince);
    }
    const key = since * 2 + (bars ? 1 : 0);
    let piece = bySince.get(key);
    if (piece === undefined) {
      piece = this.encode(state, since, bars);
      bySince.set(key, piece);
    }
    return piece;
  }

  private encode(state: SymbolState, since: number, bars: boolean): Piece | null {
    const entry = state.entrySince(since, bars);
    if (entry === undefined) return null;
    this.encoded++;
    return { entry, binary: packEntry(entry) };
  }
}
