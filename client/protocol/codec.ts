/**
 * The one codec for protocol v1, used by the server, the dashboard and the SDK.
 *
 * Binary frames are plain, standard MessagePack: msgpackr with its record/structure extensions off, so any
 * language's MessagePack library decodes them. Whole-number values outside the 32-bit range (times in ms,
 * big volumes) are written as MessagePack uint64/int64 rather than float64, so typed decoders (Go, Rust,
 * Java) can read times into integers.
 */
import { Packr, Unpackr, type Options } from 'msgpackr';
import type { ClientMessage, ServerMessage } from './messages.js';
import { readUpdateFrame } from './update-frame.js';

/** msgpackr reads `skipValues` (README, "Options") but its typings omit it. */
interface PackrOptions extends Options {
  readonly skipValues?: readonly unknown[];
}

const packerOptions: PackrOptions = {
  useRecords: false,
  variableMapSize: true,
  // Absent and undefined mean the same, exactly as JSON.stringify treats them.
  skipValues: [undefined],
};
const packr = new Packr(packerOptions);

const unpackr = new Unpackr({
  useRecords: false,
  mapsAsObjects: true,
  int64AsType: 'number',
});

const INT32_MIN = -0x8000_0000;
const UINT32_MAX = 0xffff_ffff;

/** A whole number the MessagePack writer must store as a 64-bit integer rather than float64. */
function needsInt64(value: number): boolean {
  return Number.isSafeInteger(value) && (value > UINT32_MAX || value < INT32_MIN);
}

/**
 * Returns `value` with every whole number beyond 32 bits turned into a bigint (which msgpackr writes as
 * uint64/int64). Copies only what it changes; small integers and fractions pass through untouched.
 */
export function toWireValue(value: unknown): unknown {
  if (typeof value === 'number') return needsInt64(value) ? BigInt(value) : value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const wired = toWireValue(item);
      if (wired !== item) {
        out ??= value.slice();
        out[i] = wired;
      }
    }
    return out ?? value;
  }
  if (value !== null && typeof value === 'object') {
    const source = value as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    for (const key of Object.keys(source)) {
      const item = source[key];
      const wired = toWireValue(item);
      if (wired !== item) {
        out ??= { ...source };
        out[key] = wired;
      }
    }
    return out ?? value;
  }
  return value;
}

/** A whole-number time (ms) ready for the binary wire. */
export function wireTime(ms: number): number | bigint {
  const whole = Math.floor(ms);
  return needsInt64(whole) ? BigInt(whole) : whole;
}

/** Packs a value already prepared with toWireValue()/wireTime(). The server's hot path uses this. */
export function packPrepared(value: unknown): Uint8Array {
  return packr.pack(value);
}

/** A message as one MessagePack frame (times as 64-bit integers). */
export function encodeBinary(message: ServerMessage | ClientMessage): Uint8Array {
  return packr.pack(toWireValue(message));
}

/** A message as one JSON text frame. */
export function encodeText(message: ServerMessage | ClientMessage): string {
  return JSON.stringify(message);
}

/**
 * Decodes one binary frame from a trusted peer (the server, for clients). Fast rather than strict: the
 * server decodes what clients send with a strict decoder instead (server/hub/inbound.ts). Update frames,
 * nearly all of a client's, take a reader made for them (update-frame.ts); msgpackr reads the rest.
 */
export function decodeBinary(bytes: Uint8Array): unknown {
  return readUpdateFrame(bytes) ?? unpackr.unpack(bytes);
}

/** Decodes one text frame. Throws on text that is not JSON. */
export function decodeText(text: string): unknown {
  return JSON.parse(text) as unknown;
}
