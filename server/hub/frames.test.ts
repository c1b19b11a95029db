import { describe, expect, test } from 'vitest';
import { decode as referenceDecode } from '@msgpack/msgpack';
import { packPrepared, toWireValue } from '../../client/protocol/codec.js';
import type { SymbolEntry } from '../../client/protocol/messages.js';
import { arrayHeader, binaryFrame, Body, textFrame } from './frames.js';
import type { Piece } from './piece-cache.js';
import { payloadOf } from './websocket-frame.js';

function piece(entry: SymbolEntry): Piece {
  return { entry, binary: packPrepared(toWireValue(entry)) };
}

describe('update frames assembled from pieces', () => {
  test.each([0, 1, 15, 16, 300, 70_000])('with %i entries decode to the same message as one encode would give', (count) => {
    const pieces = Array.from({ length: count }, (_, i) => piece({ s: `S${i}`, p: 100 + i / 100, t: 1_722_470_400_000 + i }));
    const body = new Body(pieces);
    const expected = { type: 'update', seq: 42, time: 1_722_470_400_999, updates: pieces.map((p) => p.entry) };
    expect(referenceDecode(payloadOf(binaryFrame(42, 1_722_470_400_999, body)))).toEqual(expected);
    expect(JSON.parse(textFrame(42, 1_722_470_400_999, body))).toEqual(expected);
  });

  test.each([
    [true, 'joined once and copied whole'],
    [false, 'copied piece by piece'],
  ])('a body %s gives the same bytes', (shared) => {
    const pieces = Array.from({ length: 40 }, (_, i) => piece({ s: `S${i}`, p: 1 + i, t: 1_722_470_400_000 }));
    const body = new Body(pieces, shared);
    expect(referenceDecode(payloadOf(binaryFrame(7, 1_722_470_400_000, body)))).toEqual({ type: 'update', seq: 7, time: 1_722_470_400_000, updates: pieces.map((p) => p.entry) });
    // A shared body is copied again for the next connection, unchanged.
    expect(binaryFrame(8, 1_722_470_400_000, body).subarray(-body.byteLength)).toEqual(binaryFrame(7, 1_722_470_400_000, body).subarray(-body.byteLength));
  });

  test.each([0, 1, 127, 128, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1])(
    'the prefix for seq %i is byte for byte what the codec writes',
    (seq) => {
      const time = 1_722_470_400_999.7;
      const body = new Body([]);
      const prefix = packPrepared(toWireValue({ type: 'update', seq, time: Math.floor(time), updates: [] }));
      expect(payloadOf(binaryFrame(seq, time, body))).toEqual(Buffer.from(prefix));
    },
  );

  test('array headers use the shortest MessagePack form', () => {
    expect([...arrayHeader(3)]).toEqual([0x93]);
    expect([...arrayHeader(16)]).toEqual([0xdc, 0, 16]);
    expect([...arrayHeader(65_536)]).toEqual([0xdd, 0, 1, 0, 0]);
  });
});
