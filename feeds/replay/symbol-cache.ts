/**
 * Symbols cut out of lines, shared: a file names the same few symbols millions of times, and handing the
 * market one string object per symbol (instead of a fresh copy per line) saves the allocation, the garbage,
 * and the hashing of a new string at every Map lookup downstream. A small direct-mapped table: a slot
 * holds the last symbol that hashed to it, checked in place with startsWith before it is reused.
 */

const SLOTS = 1024;
const MASK = SLOTS - 1;

export class SymbolCache {
  private readonly slots: (string | undefined)[] = new Array<string | undefined>(SLOTS);

  /** `text.slice(start, end)`, as the same string object each time the same symbol comes back. */
  slice(text: string, start: number, end: number): string {
    const length = end - start;
    if (length <= 0) return '';
    const slot = (length * 31 + text.charCodeAt(start) * 7 + text.charCodeAt(end - 1) * 131 + text.charCodeAt(start + (length >> 1))) & MASK;
    const cached = this.slots[slot];
    if (cached !== undefined && cached.length === length && text.startsWith(cached, start)) return cached;
    const symbol = text.slice(start, end);
    this.slots[slot] = symbol;
    return symbol;
  }
}
