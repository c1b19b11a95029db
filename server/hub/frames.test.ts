import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { decode as referenceDecode } from '@msgpack/msgpack';
import { packPrepared, toWireValue } from '../../client/protocol/codec.js';
import type { SymbolEntry } from '../../client/protocol/messages.js';
import { arrayHeader, binaryFrame, Body, FrameArena, textFrame } from './frames.js';
import type { Piece } from './piece-cache.js';
import { payloadOf } from './websocket-frame.js';

function piece(entry: SymbolEntry): Piece {
  return { entry, binary: packPrepared(toWireValue(entry)) };
}

describe('update frames assembled from pieces', () => {
  test.each([0, 1, 15, 16, 300, 70_000])('with %i entries decode to the same message as one encode would give', (count) => {
    const pieces = Array.from({ length: count }, (_, i) => piece({ s: `S${i}`, p: 100 + i / 100, t: 1_722_470_400_000 + i }));
    const body = Body.of(pieces);
    const expected = { type: 'update', seq: 42, time: 1_722_470_400_999, updates: pieces.map((p) => p.entry) };
    expect(referenceDecode(payloadOf(binaryFrame(42, 1_722_470_400_999, body)))).toEqual(expected);
    expect(JSON.parse(textFrame(42, 1_722_470_400_999, body))).toEqual(expected);
  });

  test.each([
    [true, 'joined once and copied whole'],
    [false, 'copied piece by piece'],
  ])('a body %s gives the same bytes', (shared) => {
    const pieces = Array.from({ length: 40 }, (_, i) => piece({ s: `S${i}`, p: 1 + i, t: 1_722_470_400_000 }));
    const body = Body.of(pieces, shared);
    expect(referenceDecode(payloadOf(binaryFrame(7, 1_722_470_400_000, body)))).toEqual({ type: 'update', seq: 7, time: 1_722_470_400_000, updates: pieces.map((p) => p.entry) });
    // A shared body is copied again for the next connection, unchanged.
    expect(binaryFrame(8, 1_722_470_400_000, body).subarray(-body.byteLength)).toEqual(binaryFrame(7, 1_722_470_400_000, body).subarray(-body.byteLength));
  });

  test.each([0, 1, 127, 128, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1])(
    'the prefix for seq %i is byte for byte what the codec writes',
    (seq) => {
      const time = 1_722_470_400_999.7;
      const body = Body.of([]);
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

describe('FrameArena', () => {
  const overlaps = (a: Buffer, b: Buffer): boolean =>
    a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.length && b.byteOffset < a.byteOffset + a.length;

  test("gives a released frame's bytes to the next frame, and never the bytes of a frame still held", () => {
    const arena = new FrameArena(1024);
    const first = arena.alloc(100);
    arena.release(first);
    const second = arena.alloc(100);
    expect(second.buffer).toBe(first.buffer);
    expect(second.byteOffset).toBe(first.byteOffset);
    // `second` is held (not released): later frames go after it, in the same slab while it has room.
    const held = [second, ...Array.from({ length: 9 }, () => arena.alloc(100))];
    for (const [i, a] of held.entries()) for (const b of held.slice(i + 1)) expect(overlaps(a, b)).toBe(false);
    // A full slab is replaced: the held frames keep theirs.
    const next = arena.alloc(100);
    expect(next.buffer).not.toBe(second.buffer);
    for (const frame of held) expect(overlaps(frame, next)).toBe(false);
  });

  test('release of a frame that is not the latest changes nothing', () => {
    const arena = new FrameArena(1024);
    const first = arena.alloc(100);
    const second = arena.alloc(100);
    arena.release(first);
    expect(overlaps(arena.alloc(100), second)).toBe(false);
  });

  test('a frame larger than a quarter of a slab gets its own memory', () => {
    const arena = new FrameArena(1024);
    const small = arena.alloc(100);
    const big = arena.alloc(300);
    expect(big.buffer).not.toBe(small.buffer);
    arena.release(big);
    expect(overlaps(arena.alloc(100), small)).toBe(false);
  });

  test("a frame is a Buffer to Node, as Buffer.alloc's are", async () => {
    const arena = new FrameArena(1024);
    for (const frame of [arena.alloc(4), arena.alloc(300)]) {
      frame.fill(0x61);
      expect(Buffer.isBuffer(frame)).toBe(true);
      expect(frame).toBeInstanceOf(Buffer);
      expect(frame.constructor).toBe(Buffer);
      expect(frame.toString('latin1', 0, 4)).toBe('aaaa');
      expect(Buffer.isBuffer(frame.subarray(1))).toBe(true);
      expect(Buffer.concat([frame, Buffer.from('b')]).toString('latin1').endsWith('ab')).toBe(true);
    }
    // Through a stream's write(), which takes a Buffer as is and turns any other Uint8Array into one.
    const frame = arena.alloc(3);
    frame.write('xyz', 'latin1');
    const written: Buffer[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (written.push(chunk), done()) });
    await new Promise<void>((resolve) => sink.write(frame, () => resolve()));
    expect(written[0]).toBe(frame);
  });

  test('a released frame is given back once', () => {
    const arena = new FrameArena(1024);
    const first = arena.alloc(100);
    const second = arena.alloc(100);
    arena.release(second);
    arena.release(second);
    const third = arena.alloc(100);
    expect(third.byteOffset).toBe(second.byteOffset);
    expect(overlaps(third, first)).toBe(false);
  });

  test('binaryFrame with an arena gives the same bytes as without', () => {
    const pieces = Array.from({ length: 40 }, (_, i) => piece({ s: `S${i}`, p: 100 + i / 100, t: 1_722_470_400_000 + i }));
    const arena = new FrameArena();
    expect(binaryFrame(3, 1_722_470_400_000, Body.of(pieces), arena)).toEqual(binaryFrame(3, 1_722_470_400_000, Body.of(pieces)));
  });
});
