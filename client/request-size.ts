/**
 * Keeping requests inside the server's limits (docs/protocol.md#limits): a `subscribe` or `unsubscribe`
 * naming more symbols than one frame or one request may hold goes out as several requests, each small
 * enough. A frame over the server's inbound limit is never sent: the server would close the connection
 * (1009), and a client that re-sent the same frame on every reconnect would loop for ever.
 */
import { encodeBinary, encodeText } from './protocol/codec.js';
import type { ClientMessage, Encoding } from './protocol/messages.js';

/** Most symbols one `subscribe` or `unsubscribe` may name (the server's default, docs/protocol.md#limits). */
export const MAX_SYMBOLS_PER_REQUEST = 1_000;
/** The server's inbound frame limit by default: a larger frame closes the connection with 1009. */
export const MAX_FRAME_BYTES = 16 * 1024;
/**
 * Bytes a `subscribe` or `unsubscribe` is split to: well under MAX_FRAME_BYTES, so a server whose operator
 * lowered the limit somewhat still takes them.
 */
export const SYMBOL_REQUEST_BYTES = 8 * 1024;

const utf8 = new TextEncoder();

/** The size of `message` as it goes on the wire. */
export function encodedSize(message: ClientMessage, encoding: Encoding): number {
  return encoding === 'json' ? utf8.encode(encodeText(message)).length : encodeBinary(message).length;
}

/** What one more symbol adds to a request's encoded size (at most: a MessagePack array header may grow too). */
function symbolBytes(symbol: string, encoding: Encoding): number {
  if (encoding === 'json') return utf8.encode(JSON.stringify(symbol)).length + 1;
  const length = utf8.encode(symbol).length;
  return length + (length < 32 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5);
}

/** Room a MessagePack array header may need beyond the one byte of an empty array (array 16). */
const ARRAY_HEADER_GROWTH = 2;

/**
 * Splits `symbols` into groups that each fit in one request shaped like `request(group)`: at most
 * `maxCount` symbols and `maxBytes` encoded. `tooLarge`: symbols that do not fit even alone.
 */
export function splitSymbols(
  symbols: readonly string[],
  request: (symbols: readonly string[]) => ClientMessage,
  encoding: Encoding,
  maxBytes = SYMBOL_REQUEST_BYTES,
  maxCount = MAX_SYMBOLS_PER_REQUEST,
): { groups: string[][]; tooLarge: string[] } {
  const base = encodedSize(request([]), encoding) + ARRAY_HEADER_GROWTH;
  const groups: string[][] = [];
  const tooLarge: string[] = [];
  let group: string[] = [];
  let bytes = base;
  for (const symbol of symbols) {
    const size = symbolBytes(symbol, encoding);
    if (base + size > maxBytes) {
      tooLarge.push(symbol);
      continue;
    }
    if (group.length >= maxCount || bytes + size > maxBytes) {
      groups.push(group);
      group = [];
      bytes = base;
    }
    group.push(symbol);
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  return { groups, tooLarge };
}
