/**
 * Decoding of frames from clients, which may be anyone. msgpackr, our encoder, decodes for speed on data
 * it trusts: it turns the never-used byte 0xC1 into an object and extension types into Date, RegExp or
 * Error. Inbound bytes therefore go through the msgpack.org reference decoder (@msgpack/msgpack), which
 * throws on unknown type bytes and `__proto__` keys, checks every declared length against a cap before
 * allocating, keeps its own stack (deep nesting cannot overflow ours), and here refuses every extension
 * type: a request is only ever maps, arrays, strings, numbers, booleans and nil. Strings must be valid
 * UTF-8 (utf8-strings.ts), which that decoder does not check.
 */
import { DecodeError, Decoder, type ExtensionCodecType } from '@msgpack/msgpack';
import { stringsAreUtf8 } from './utf8-strings.js';

const noExtensions: ExtensionCodecType<undefined> = {
  tryToEncode: () => null,
  decode: (_data, type) => {
    throw new DecodeError(`MessagePack extension type ${type} is not accepted`);
  },
};

export type InboundDecoder = (bytes: Uint8Array) => unknown;

/**
 * A decoder for frames of at most `maxFrameBytes`. Each declared length is capped by what such a frame
 * can hold (an array item takes a byte at least, a map entry two), so no header makes it allocate more
 * than the frame's size, and nothing a frame can hold is refused here: a request's own rules (symbols per
 * request, name lengths) are the request parser's, with the same answers as for JSON.
 */
export function createInboundDecoder(maxFrameBytes: number): InboundDecoder {
  const decoder = new Decoder({
    extensionCodec: noExtensions,
    maxArrayLength: maxFrameBytes,
    maxMapLength: Math.floor(maxFrameBytes / 2),
    maxStrLength: maxFrameBytes,
    maxBinLength: 0,
    maxExtLength: 0,
    mapKeyConverter: (key) => {
      if (typeof key !== 'string') throw new DecodeError('map keys must be strings');
      return key;
    },
  });
  return (bytes) => {
    if (!stringsAreUtf8(bytes)) throw new DecodeError('strings must be valid UTF-8');
    return decoder.decode(bytes);
  };
}

/** Refuses a `__proto__` key at any depth, as the MessagePack decoder does. */
function refuseProto(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new Error('"__proto__" keys are not allowed');
  return value;
}

/**
 * A text frame's JSON, held to the MessagePack frames' rules: a `__proto__` key is refused (JSON.parse would
 * make it an own property, harmless here but a trap for any code that copies the object).
 */
export function decodeInboundText(text: string): unknown {
  return JSON.parse(text, refuseProto) as unknown;
}
