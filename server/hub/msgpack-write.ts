/**
 * MessagePack written byte by byte where the hub cannot afford a general encoder: an update frame's prefix
 * (frames.ts) and symbol entries (entry-pack.ts). Every form is the one the codec (msgpackr with
 * `useRecords: false`, client/protocol/codec.ts) writes for the same value, so the bytes are the codec's.
 */

const TWO_POW_32 = 0x1_0000_0000;
const INT32_MIN = -0x8000_0000;

/**
 * Bytes of a non-negative whole number in the shortest MessagePack form; beyond 32 bits int64, as the codec
 * writes every such number.
 */
export function uintLength(value: number): number {
  return value < 0x80 ? 1 : value < 0x100 ? 2 : value < 0x1_0000 ? 3 : value < TWO_POW_32 ? 5 : 9;
}

/** Writes a non-negative whole number (up to 2^53) in the shortest form; returns the offset after it. */
export function writeUint(target: Uint8Array, offset: number, value: number): number {
  if (value < 0x80) {
    target[offset] = value;
    return offset + 1;
  }
  if (value < 0x100) {
    target[offset] = 0xcc;
    target[offset + 1] = value;
    return offset + 2;
  }
  if (value < 0x1_0000) {
    target[offset] = 0xcd;
    writeUint16(target, offset + 1, value);
    return offset + 3;
  }
  if (value < TWO_POW_32) {
    target[offset] = 0xce;
    writeUint32(target, offset + 1, value);
    return offset + 5;
  }
  const high = Math.floor(value / TWO_POW_32);
  target[offset] = 0xd3;
  writeUint32(target, offset + 1, high);
  writeUint32(target, offset + 5, value - high * TWO_POW_32);
  return offset + 9;
}

/** Writes `value` (0..0xffff) as two big-endian bytes. */
export function writeUint16(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value >>> 8;
  target[offset + 1] = value & 0xff;
}

export function writeUint32(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value >>> 24;
  target[offset + 1] = (value >>> 16) & 0xff;
  target[offset + 2] = (value >>> 8) & 0xff;
  target[offset + 3] = value & 0xff;
}

/**
 * Writes any number as the codec does: whole numbers in 32 bits in the shortest int form, other whole
 * numbers up to 2^53 as int64, everything else as float64. `view` is a DataView over `target`'s buffer
 * (for the float and the signed forms). Returns the offset after it.
 */
export function writeNumber(target: Uint8Array, view: DataView, offset: number, value: number): number {
  // -0 too: the codec writes it as 0.
  if (value >>> 0 === value) return writeUint(target, offset, value);
  if (value >> 0 === value) {
    if (value >= -0x20) {
      target[offset] = value & 0xff;
      return offset + 1;
    }
    if (value >= -0x80) {
      target[offset] = 0xd0;
      view.setInt8(offset + 1, value);
      return offset + 2;
    }
    if (value >= -0x8000) {
      target[offset] = 0xd1;
      view.setInt16(offset + 1, value);
      return offset + 3;
    }
    target[offset] = 0xd2;
    view.setInt32(offset + 1, value);
    return offset + 5;
  }
  if (Number.isSafeInteger(value) && (value > 0xffff_ffff || value < INT32_MIN)) {
    if (value > 0) return writeUint(target, offset, value);
    // int64, big-endian two's complement: the high 32 bits signed, the low 32 unsigned.
    const high = Math.floor(value / TWO_POW_32);
    target[offset] = 0xd3;
    view.setInt32(offset + 1, high);
    view.setUint32(offset + 5, value - high * TWO_POW_32);
    return offset + 9;
  }
  target[offset] = 0xcb;
  view.setFloat64(offset + 1, value);
  return offset + 9;
}

export function arrayHeaderLength(count: number): number {
  return count < 16 ? 1 : count < 0x1_0000 ? 3 : 5;
}

/** Writes the MessagePack array header for `count` items (fixarray, array 16 or array 32). */
export function writeArrayHeader(target: Uint8Array, offset: number, count: number): number {
  if (count < 16) {
    target[offset] = 0x90 | count;
    return offset + 1;
  }
  if (count < 0x1_0000) {
    target[offset] = 0xdc;
    writeUint16(target, offset + 1, count);
    return offset + 3;
  }
  target[offset] = 0xdd;
  writeUint32(target, offset + 1, count);
  return offset + 5;
}
