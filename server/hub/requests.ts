/**
 * Turns a decoded inbound frame into a typed request, or says precisely what is wrong with it. Unknown
 * fields are ignored (so newer clients keep working with this server); known fields are checked strictly.
 */
import { isReplaySpeed, SPEED_RULE } from '../../feeds/replay/options.js';
import {
  INTERVALS,
  REPLAY_ACTIONS,
  isInterval,
  isSymbolName,
  type ClientMessage,
  type ErrorCode,
  type Rejection,
  type ReplayRequest,
  type RequestId,
  type SubscribeRequest,
  type UnsubscribeRequest,
} from '../../client/protocol/messages.js';

export interface RequestLimits {
  readonly maxSymbolLength: number;
  readonly maxSymbolsPerRequest: number;
  readonly maxHistoryLimit: number;
}

export class RequestError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly id?: RequestId,
  ) {
    super(message);
  }
}

const MAX_ID_LENGTH = 64;
/** Protocol versions a `hello` request may list. */
const MAX_OFFERED_PROTOCOLS = 16;
/** Longest `client` name in a `hello` request. */
const MAX_CLIENT_NAME_LENGTH = 64;
/** Characters of a refused symbol an error message quotes at most. */
const MAX_QUOTED_SYMBOL = 40;
export const WILDCARD = '*';

type Fields = Readonly<Record<string, unknown>>;

/**
 * The strings of a `symbols` list that are no symbol name (or longer than the server allows), each with its
 * rejection: they stay in `symbols`, in order, and are refused one by one like unknown symbols, so one bad
 * name does not cost the request its other symbols.
 */
export interface SymbolRefusals {
  readonly malformed: ReadonlyMap<string, Rejection>;
}

/** A request as the hub takes it: the protocol's, with a symbol list's malformed names set apart. */
export type ParsedRequest =
  | Exclude<ClientMessage, SubscribeRequest | UnsubscribeRequest>
  | (SubscribeRequest & SymbolRefusals)
  | (UnsubscribeRequest & SymbolRefusals);

function isPlainObject(value: unknown): value is Fields {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function parseRequest(value: unknown, limits: RequestLimits): ParsedRequest {
  if (!isPlainObject(value)) throw new RequestError('BAD_FRAME', 'a request must be a map with a string field "type"');
  const id = requestId(value);
  const type = value['type'];
  if (typeof type !== 'string') throw new RequestError('BAD_FRAME', 'a request must be a map with a string field "type"', id);
  switch (type) {
    case 'hello':
      return { type, id, protocols: protocolList(value, id), client: optionalString(value, 'client', id) };
    case 'subscribe': {
      const maxRate = optionalNumber(value, 'maxRate', id);
      if (maxRate !== undefined && !(maxRate > 0)) throw new RequestError('BAD_FIELD', '"maxRate" must be a number > 0 (updates per second)', id);
      return {
        type,
        id,
        ...symbolList(value, limits, id),
        bars: optionalBoolean(value, 'bars', id),
        snapshot: optionalBoolean(value, 'snapshot', id),
        maxRate,
      };
    }
    case 'unsubscribe':
      return { type, id, ...symbolList(value, limits, id) };
    case 'history': {
      const symbol = value['symbol'];
      if (typeof symbol !== 'string' || !validSymbol(symbol, limits)) {
        throw new RequestError('BAD_FIELD', '"symbol" must be a symbol name', id);
      }
      const interval = value['interval'];
      if (!isInterval(interval)) {
        throw new RequestError('BAD_FIELD', `"interval" must be one of ${INTERVALS.join(', ')}`, id);
      }
      const limit = optionalNumber(value, 'limit', id);
      if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= limits.maxHistoryLimit)) {
        throw new RequestError('BAD_FIELD', `"limit" must be a whole number from 1 to ${limits.maxHistoryLimit}`, id);
      }
      const end = optionalNumber(value, 'end', id);
      if (end !== undefined && !(end >= 0)) throw new RequestError('BAD_FIELD', '"end" must be a time in ms since the epoch', id);
      return { type, id, symbol, interval, limit, end };
    }
    case 'ping':
    case 'list':
      return { type, id };
    case 'replay':
      return replayRequest(value, id);
    default:
      throw new RequestError('UNKNOWN_TYPE', `unknown request type "${clip(type, 32)}"`, id);
  }
}

/**
 * At most `max` characters of client text for an error message, cut between code points: a cut inside a
 * surrogate pair would leave a lone surrogate, which encodes to invalid UTF-8.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

function replayRequest(fields: Fields, id: RequestId | undefined): ReplayRequest {
  const action = fields['action'];
  switch (action) {
    case 'state':
    case 'pause':
    case 'resume':
      return { type: 'replay', id, action };
    case 'speed': {
      const speed = fields['speed'];
      if (!isReplaySpeed(speed)) throw new RequestError('BAD_FIELD', `"speed" must be ${SPEED_RULE}`, id);
      return { type: 'replay', id, action, speed };
    }
    case 'seek': {
      const time = fields['time'];
      if (typeof time !== 'number' || !Number.isFinite(time) || time < 0) {
        throw new RequestError('BAD_FIELD', '"time" must be a time in ms since the epoch', id);
      }
      return { type: 'replay', id, action, time };
    }
    default:
      throw new RequestError('BAD_FIELD', `"action" must be one of ${REPLAY_ACTIONS.join(', ')}`, id);
  }
}

/**
 * The id of a decoded message that will not be handled (one dropped for the rate), if it has one the
 * protocol allows; undefined for anything else, never an error.
 */
export function readableId(value: unknown): RequestId | undefined {
  if (!isPlainObject(value)) return undefined;
  try {
    return requestId(value);
  } catch {
    return undefined;
  }
}

function requestId(fields: Fields): RequestId | undefined {
  const id = fields['id'];
  if (id === undefined || id === null) return undefined;
  if (typeof id === 'number' && Number.isFinite(id)) return id;
  if (typeof id === 'string' && id.length <= MAX_ID_LENGTH) return id;
  throw new RequestError('BAD_FIELD', `"id" must be a number or a string of at most ${MAX_ID_LENGTH} characters`);
}

function validSymbol(symbol: string, limits: RequestLimits): boolean {
  return isSymbolName(symbol, limits.maxSymbolLength);
}

/** A refused symbol as an error message quotes it: JSON, cut short, or its type when it is no string. */
function symbolText(symbol: unknown): string {
  if (typeof symbol !== 'string') return `a ${symbol === null ? 'null' : typeof symbol}`;
  return JSON.stringify(symbol.length > MAX_QUOTED_SYMBOL ? `${clip(symbol, MAX_QUOTED_SYMBOL)}…` : symbol);
}

/**
 * A request's `symbols`: an array of strings, or the request is refused (BAD_FIELD). A string that is no
 * symbol name is kept, with its rejection in `malformed`: the rest of the request still counts.
 */
function symbolList(fields: Fields, limits: RequestLimits, id: RequestId | undefined): { symbols: string[] } & SymbolRefusals {
  const symbols = fields['symbols'];
  if (!Array.isArray(symbols) || symbols.length === 0) {
    throw new RequestError('BAD_FIELD', '"symbols" must be a non-empty array of symbol names', id);
  }
  if (symbols.length > limits.maxSymbolsPerRequest) {
    throw new RequestError('TOO_MANY_SYMBOLS', `at most ${limits.maxSymbolsPerRequest} symbols per request`, id);
  }
  const out: string[] = [];
  const malformed = new Map<string, Rejection>();
  for (const symbol of symbols as unknown[]) {
    if (typeof symbol !== 'string') {
      throw new RequestError('BAD_FIELD', `"symbols" must hold strings (symbol names); ${symbolText(symbol)} is not one`, id);
    }
    if (!validSymbol(symbol, limits) && symbol !== WILDCARD) {
      const message = `${symbolText(symbol)} is not a symbol name: 1 to ${limits.maxSymbolLength} letters, digits or . _ : / -`;
      malformed.set(symbol, { symbol, code: 'UNKNOWN_SYMBOL', message });
    }
    out.push(symbol);
  }
  return { symbols: out, malformed };
}

function protocolList(fields: Fields, id: RequestId | undefined): number[] {
  const protocols = fields['protocols'];
  if (
    !Array.isArray(protocols) ||
    protocols.length === 0 ||
    protocols.length > MAX_OFFERED_PROTOCOLS ||
    !protocols.every((version: unknown) => Number.isSafeInteger(version) && (version as number) >= 1)
  ) {
    throw new RequestError('BAD_FIELD', `"protocols" must be an array of 1 to ${MAX_OFFERED_PROTOCOLS} protocol versions (whole numbers >= 1)`, id);
  }
  return protocols as number[];
}

function optionalString(fields: Fields, name: string, id: RequestId | undefined): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > MAX_CLIENT_NAME_LENGTH) {
    throw new RequestError('BAD_FIELD', `"${name}" must be a string of at most ${MAX_CLIENT_NAME_LENGTH} characters`, id);
  }
  return value;
}

function optionalBoolean(fields: Fields, name: string, id: RequestId | undefined): boolean | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new RequestError('BAD_FIELD', `"${name}" must be true or false`, id);
  return value;
}

function optionalNumber(fields: Fields, name: string, id: RequestId | undefined): number | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new RequestError('BAD_FIELD', `"${name}" must be a number`, id);
  return value;
}
