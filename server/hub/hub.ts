import type { RawData, WebSocket } from 'ws';
import type { FastifyBaseLogger } from 'fastify';
import { encodeBinary, encodeText } from '../../client/protocol/codec.js';
import {
  CLOSE_CODES,
  INTERVALS,
  PROTOCOL_VERSION,
  PROTOCOL_VERSIONS,
  type Encoding,
  type ErrorCode,
  type FeedDescription,
  type HelloMessage,
  type HelloRequest,
  type HistoryRequest,
  type FeedStatusMessage,
  type ReplayMessage,
  type ReplayRequest,
  type RequestId,
  type Rejection,
  type SnapshotMessage,
  type SubscribeRequest,
  type UnsubscribeRequest,
} from '../../client/protocol/messages.js';
import type { FlushResult, Market } from '../market/market.js';
import type { SymbolState } from '../market/symbol-state.js';
import { binaryFrame, FrameArena, textFrame, type Body } from './frames.js';
import { Group, type SinceFor } from './group.js';
import { createInboundDecoder, decodeInboundText, type InboundDecoder } from './inbound.js';
import { MAX_INBOUND_FRAME_BYTES, SLOW_CONSUMER_CLOSE_GRACE_MS } from '../config.js';
import { KeyList, PieceCache } from './piece-cache.js';
import type { FlowHandlers, FlowLimits } from './request-flow.js';
import { clip, parseRequest, readableId, RequestError, WILDCARD, type RequestLimits, type SymbolRefusals } from './requests.js';
import { Session, type Subscription } from './session.js';
import { Rollout, Slice } from './slices.js';
import { SampledWarnings } from '../logging/sampled-warnings.js';


export interface HubOptions {
  readonly serverName: string;
  readonly feed: () => FeedDescription;
  readonly flushIntervalMs: number;
  /**
   * Slices the connections are dealt into (config.ts FLUSH_SLICES), for the rolling flush (slices.ts). With
   * more than one, the hub paces itself: a slice is served only once flushIntervalMs has passed since its
   * previous service, and whoever calls flush() asks `periodMs` how soon to call again. 1 serves every
   * connection on every flush, whenever it is called (a gateway, following its ingest's flushes).
   */
  readonly slices: number;
  /** A connection whose socket holds more than this many unsent bytes gets no new frames until it drains. */
  readonly maxBufferedBytes: number;
  /** A connection held back longer than this is closed with CLOSE_CODES.slowConsumer. */
  readonly slowClientTimeoutMs: number;
  /**
   * How long such a connection has to read up to the close frame and answer it before its socket is
   * destroyed (config's slowConsumerCloseGraceMs). Default SLOW_CONSUMER_CLOSE_GRACE_MS.
   */
  readonly slowConsumerCloseGraceMs?: number;
  readonly maxSymbolsPerConnection: number;
  /** 1 s bars in a snapshot when the subscription asks for bars. */
  readonly snapshotBars: number;
  readonly historyDefaultLimit: number;
  readonly requests: RequestLimits;
  /**
   * The largest request frame (config's maxInboundFrameBytes; `ws` refuses larger ones). MessagePack's
   * declared lengths are capped by it (inbound.ts), so a request decodes whenever its JSON twin would, and
   * the request rules answer both alike (TOO_MANY_SYMBOLS, BAD_FIELD). Default MAX_INBOUND_FRAME_BYTES.
   */
  readonly maxInboundFrameBytes?: number;
  /** Inbound rate and back-pressure (request-flow.ts). */
  readonly flow: FlowLimits;
}

/** What answers `replay` requests: set on the hub when the feed is a replay (server/replay/). */
export interface ReplayControl {
  /** The replay's state now, as a message (with `id` when answering a request). */
  state(id?: RequestId): ReplayMessage;
  /**
   * Carries out a request; `answer` is called once, when it is done, or else `refuse` once, when it cannot
   * be carried out (answered as an `error` with that code).
   */
  handle(request: ReplayRequest, answer: (message: ReplayMessage) => void, refuse: (code: ErrorCode, message: string) => void): void;
}

export interface HubCounters {
  connectionsOpened: number;
  connectionsClosed: number;
  /** Update frames sent. */
  frames: number;
  /** Symbol entries sent inside update frames. */
  entries: number;
  /** Symbol entries encoded: what the fan-out costs in encoding, independent of the number of clients. */
  readonly encodedEntries: () => number;
  /** Bytes of update frames sent. */
  updateBytes: number;
  /** Bytes of everything sent (updates, snapshots, replies). */
  bytes: number;
  /** Times a connection was held back by back-pressure (its changes conflated until it drained). */
  paused: number;
  slowClosed: number;
  requests: number;
  /**
   * Inputs refused, by code: each error sent, and each symbol a subscribe rejected; for RATE_LIMITED each
   * message dropped for the rate (the error goes out once an episode).
   */
  errors: Record<ErrorCode, number>;
}

interface SocketListeners {
  message(this: WebSocket, data: RawData, isBinary: boolean): void;
  ping(this: WebSocket, data: Buffer): void;
  close(this: WebSocket): void;
  error(this: WebSocket, error: Error): void;
}

function socketListeners(sessions: ReadonlyMap<WebSocket, Session>, remove: (session: Session) => void, log: FastifyBaseLogger): SocketListeners {
  return {
    message(data, isBinary) {
      sessions.get(this)?.flow.offer(data as Buffer, isBinary);
    },
    ping(data) {
      sessions.get(this)?.flow.offerPing(data);
    },
    close() {
      const session = sessions.get(this);
      if (session !== undefined) remove(session);
    },
    error(error) {
      log.debug({ err: error, session: sessions.get(this)?.id }, 'websocket error');
    },
  };
}

/**
 * Fans market changes out to WebSocket connections. Once per flush it encodes each changed symbol once per
 * distinct "since" (PieceCache), builds one body per group of identically subscribed connections, and
 * sends each connection one frame: its own small prefix (seq, time) and the shared body. No per-tick sends,
 * no per-client re-encoding, no queue: a connection that cannot keep up is skipped and later sent the
 * latest state of what changed meanwhile.
 *
 * Connections are dealt into slices (slices.ts), each remembering the generation its every service closed,
 * so a connection is sent what changed since its slice's previous service, whenever that was. A flush
 * serves every slice due, or, when the hub rolls (its rounds of writes are long), the next slice in turn.
 * Subscription tiers (maxRate) count a slice's services ("steps").
 */
export class Hub {
  /** Every open connection, by its socket. */
  private readonly sessions = new Map<WebSocket, Session>();
  /** The connections' slices (a connection's slice: its id mod their count), with their groups. */
  private readonly sliceList: Slice[];
  /** Whether the hub rolls, whose turn it is, and how soon it wants the next flush. */
  private readonly rollout: Rollout;
  private readonly pieces = new PieceCache();
  /**
   * Reused lists of a body's piece keys (Group.body): one for the body a group's members share, one for a
   * paused connection's catch-up, which is made and sent while the shared one is still in use.
   */
  private readonly groupPieces = new KeyList();
  private readonly catchUpPieces = new KeyList();
  /** Memory for update frames, reused from one connection's frame to the next (frames.ts). */
  private readonly frameArena = new FrameArena();
  /** Encoded snapshots for the current generation, keyed by symbol and bars/no bars. */
  private snapshots = new Map<string, Uint8Array | string>();
  private nextSessionId = 1;
  private readonly decodeInbound: InboundDecoder;
  /** Connections whose reading is paused until they read their answers. */
  private readonly pausedFlows = new Set<Session>();
  /** What every connection's RequestFlow tells the hub (one object for all, told which session). */
  private readonly flowHandlers: FlowHandlers<Session> = {
    request: (session, data, isBinary) => this.receive(session, data, isBinary),
    rateLimited: (session, first, data, isBinary) => {
      // Every message refused counts; the client is told once an episode, with the id of the one that began it.
      if (!first) {
        this.counters.errors.RATE_LIMITED++;
        return;
      }
      const { maxMessagesPerS, burstMessages } = this.options.flow;
      const id = data === undefined ? undefined : this.idOf(data, isBinary);
      this.fail(session, 'RATE_LIMITED', `more than ${maxMessagesPerS} messages per second (burst ${burstMessages}): messages are being dropped`, id);
    },
    abusive: (session, reason) => this.closeForPolicy(session, reason),
    paused: (session) => this.pausedFlows.add(session),
  };
  /**
   * The WebSocket events every connection listens to, made once: ws calls a listener with the socket as
   * `this`, by which it finds the session, so an idle connection costs no closures of its own.
   */
  private readonly listeners: SocketListeners;
  private readonly warnings: SampledWarnings;
  /** Resolves closeAll() once the last connection is gone. */
  private onEmpty: (() => void) | undefined;
  /** Replay controls, when the feed is a replay. */
  replay: ReplayControl | undefined;
  /**
   * Told of every slice served (one of `slices`): its tier-1 connections were sent what changed after
   * generation `since`. For observers that count what the connections were owed (the benchmark).
   */
  onServed: ((since: number, slices: number) => void) | undefined;
  /** How a live feed stands, sent after the greeting when the feed is live (server/live/). */
  feedStatus: (() => FeedStatusMessage) | undefined;
  /**
   * Every connection was sent snapshots of the state after this generation (a replay swapped its state):
   * no update needs to carry a change from it or before.
   */
  private resyncedThrough = 0;
  readonly counters: HubCounters = {
    connectionsOpened: 0,
    connectionsClosed: 0,
    frames: 0,
    entries: 0,
    encodedEntries: () => this.pieces.encoded,
    updateBytes: 0,
    bytes: 0,
    paused: 0,
    slowClosed: 0,
    requests: 0,
    errors: {
      BAD_FRAME: 0,
      UNKNOWN_TYPE: 0,
      BAD_FIELD: 0,
      UNKNOWN_SYMBOL: 0,
      TOO_MANY_SYMBOLS: 0,
      RATE_LIMITED: 0,
      UNSUPPORTED: 0,
      INTERNAL: 0,
      UNSUPPORTED_PROTOCOL: 0,
    },
  };

  constructor(
    private readonly market: Market,
    private readonly options: HubOptions,
    private readonly log: FastifyBaseLogger,
  ) {
    this.decodeInbound = createInboundDecoder(options.maxInboundFrameBytes ?? MAX_INBOUND_FRAME_BYTES);
    this.warnings = new SampledWarnings(log);
    this.listeners = socketListeners(this.sessions, (session) => this.remove(session), log);
    const slices = Math.max(1, Math.floor(options.slices));
    this.sliceList = Array.from({ length: slices }, () => new Slice(market.gen - 1));
    this.rollout = new Rollout(slices, options.flushIntervalMs);
  }

  get connections(): number {
    return this.sessions.size;
  }

  get groupCount(): number {
    let count = 0;
    for (const slice of this.sliceList) count += slice.groups.size;
    return count;
  }

  /** Slices the connections are dealt into (HubOptions.slices). */
  get slices(): number {
    return this.sliceList.length;
  }

  /** How soon the hub wants its next flush, ms: the interval, or a slice's share of it while rolling. */
  get periodMs(): number {
    return this.rollout.periodMs;
  }

  /** The groups of the slice `session` is dealt into. */
  private sliceOf(session: Session): Map<string, Group> {
    return this.sliceList[session.id % this.sliceList.length]!.groups;
  }

  /** Takes a newly opened WebSocket: greets it and routes its messages. */
  accept(socket: WebSocket, encoding: Encoding, remote: string): Session {
    const session = new Session(this.nextSessionId++, socket, encoding, remote, this.options.flow, this.flowHandlers);
    this.sessions.set(socket, session);
    this.counters.connectionsOpened++;
    const { listeners } = this;
    socket.on('message', listeners.message);
    socket.on('ping', listeners.ping);
    socket.on('close', listeners.close);
    socket.on('error', listeners.error);
    this.reply(session, this.greeting(PROTOCOL_VERSION));
    if (this.replay !== undefined) this.reply(session, this.replay.state());
    if (this.feedStatus !== undefined) this.reply(session, this.feedStatus());
    return session;
  }

  private greeting(protocol: number, id?: RequestId): HelloMessage {
    return {
      type: 'hello',
      id,
      protocol,
      protocols: PROTOCOL_VERSIONS,
      server: this.options.serverName,
      feed: this.options.feed(),
      flushMs: this.options.flushIntervalMs,
      time: Date.now(),
      intervals: INTERVALS,
    };
  }

  /** Version negotiation: the newest version both speak, or an error and close 4002 (docs/protocol.md#versions). */
  private hello(session: Session, request: HelloRequest): void {
    const common = request.protocols.filter((version) => PROTOCOL_VERSIONS.includes(version));
    if (common.length === 0) {
      const offered = request.protocols.slice(0, 4).join(', ');
      this.fail(session, 'UNSUPPORTED_PROTOCOL', `this server speaks protocol ${PROTOCOL_VERSIONS.join(', ')}; the client offered ${offered}`, request.id);
      session.socket.close(CLOSE_CODES.unsupportedProtocol, 'no common protocol version');
      return;
    }
    this.reply(session, this.greeting(Math.max(...common), request.id));
  }

  /**
   * Test hook, not reachable from the network: each connection's next `count` update frames are dropped as
   * if lost in transit (their `seq` is used up, their changes are not sent again), so tests can check that
   * clients detect the gap and recover against a real server.
   */
  loseUpdateFrames(count: number): void {
    for (const session of this.sessions.values()) session.framesToLose += count;
  }

  /**
   * Test hook, not reachable from the network: fixes whether the hub rolls (slices.ts), whatever its rounds
   * take (undefined: they decide again), so tests can run either mode on a handful of connections.
   */
  pinRolling(rolling: boolean | undefined): void {
    this.rollout.pin(rolling);
  }

  /**
   * Whether the connection on `socket` is held back (back-pressure), and so on the slow-consumer clock: the
   * heartbeat leaves it alone (plugins/heartbeat.ts), its pings being stuck behind the same unread bytes.
   */
  isHeldBack(socket: WebSocket): boolean {
    return this.sessions.get(socket)?.heldBack ?? false;
  }

  private remove(session: Session): void {
    if (!this.sessions.delete(session.socket)) return;
    clearTimeout(session.closeTimer);
    this.counters.connectionsClosed++;
    this.leaveGroup(session);
    this.pausedFlows.delete(session);
    if (this.sessions.size === 0) this.onEmpty?.();
  }

  /**
   * Closes every connection (at shutdown with CLOSE_CODES.serviceRestart) and resolves once all have
   * completed the closing handshake; those that have not within `drainMs` are cut off. Resolves with how
   * many were cut off.
   */
  async closeAll(code: number, reason: string, drainMs: number): Promise<number> {
    for (const session of this.sessions.values()) {
      this.leaveGroup(session);
      session.socket.close(code, reason);
    }
    if (this.sessions.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.onEmpty = resolve;
        timer = setTimeout(resolve, drainMs);
      });
      clearTimeout(timer);
      this.onEmpty = undefined;
    }
    const stragglers = this.sessions.size;
    for (const session of this.sessions.values()) session.socket.terminate();
    return stragglers;
  }

  /** Closes a connection that broke a rule (1008); it leaves the fan-out at once. */
  private closeForPolicy(session: Session, reason: string): void {
    this.warnings.warn('policy', { session: session.id, ip: session.remote }, `closing connection: ${reason}`);
    this.leaveGroup(session);
    session.socket.close(CLOSE_CODES.policyViolation, reason);
  }

  receive(session: Session, data: Buffer, isBinary: boolean): void {
    // A connection we are closing gets no more answers (and cannot rejoin the fan-out).
    if (!session.open) return;
    this.counters.requests++;
    let decoded: unknown;
    try {
      decoded = isBinary ? this.decodeInbound(data) : decodeInboundText(data.toString('utf8'));
    } catch (error) {
      const detail = error instanceof Error ? `: ${clip(error.message, 120)}` : '';
      this.fail(session, 'BAD_FRAME', `${isBinary ? 'frame is not one plain MessagePack value' : 'frame is not JSON'}${detail}`);
      return;
    }
    try {
      this.handle(session, parseRequest(decoded, this.options.requests));
    } catch (error) {
      if (error instanceof RequestError) {
        this.fail(session, error.code, error.message, error.id);
      } else {
        this.log.error({ err: error, session: session.id }, 'request failed');
        this.fail(session, 'INTERNAL', 'the server failed to handle this request');
      }
    }
  }

  /** The id of a message that will not be handled (dropped for the rate), if it has a readable one. */
  private idOf(data: Buffer, isBinary: boolean): RequestId | undefined {
    try {
      return readableId(isBinary ? this.decodeInbound(data) : decodeInboundText(data.toString('utf8')));
    } catch {
      return undefined;
    }
  }

  private handle(session: Session, request: ReturnType<typeof parseRequest>): void {
    switch (request.type) {
      case 'hello':
        this.hello(session, request);
        return;
      case 'subscribe':
        this.subscribe(session, request);
        return;
      case 'unsubscribe':
        this.unsubscribe(session, request);
        return;
      case 'history':
        this.history(session, request);
        return;
      case 'list':
        this.reply(session, { type: 'list', id: request.id, symbols: this.market.instruments() });
        return;
      case 'ping':
        this.reply(session, { type: 'pong', id: request.id, time: Date.now() });
        return;
      case 'replay':
        if (this.replay === undefined) {
          const kind = this.options.feed().kind;
          // A cluster gateway whose replay state has not reached it (unreadable in Redis): the ingest's next
          // state brings the controls, so the request may be retried.
          if (kind === 'replay') this.fail(session, 'INTERNAL', 'replay controls are not available on this server yet: retry shortly', request.id);
          else this.fail(session, 'UNSUPPORTED', `the feed is ${kind}, not a replay: replay controls do not apply`, request.id);
          return;
        }
        this.replay.handle(
          request,
          (answer) => this.reply(session, answer),
          (code, message) => this.fail(session, code, message, request.id),
        );
        return;
    }
  }

  private subscribe(session: Session, request: SubscribeRequest & SymbolRefusals): void {
    const sub: Subscription = {
      bars: request.bars ?? true,
      tier: request.maxRate === undefined ? 1 : Math.max(1, Math.ceil(1000 / (request.maxRate * this.options.flushIntervalMs))),
    };
    const subs = session.group?.subscriptionMap() ?? new Map<string, Subscription>();
    const accepted: string[] = [];
    const rejected: Rejection[] = [];
    for (const symbol of new Set(request.symbols)) {
      const malformed = request.malformed.get(symbol);
      if (malformed !== undefined) {
        rejected.push(malformed);
        continue;
      }
      if (symbol !== WILDCARD && this.market.get(symbol) === undefined) {
        rejected.push({ symbol, code: 'UNKNOWN_SYMBOL', message: `no symbol "${symbol}" on this server` });
        continue;
      }
      const limit = this.options.maxSymbolsPerConnection;
      if (!subs.has(symbol) && this.streamedWith(subs, symbol) > limit) {
        const cost = symbol === WILDCARD ? `"*" is all ${this.market.size} symbols of the market: ` : '';
        rejected.push({ symbol, code: 'TOO_MANY_SYMBOLS', message: `${cost}at most ${limit} subscriptions per connection` });
        continue;
      }
      subs.set(symbol, sub);
      accepted.push(symbol);
    }
    for (const rejection of rejected) this.counters.errors[rejection.code]++;
    if (accepted.length > 0) this.joinGroup(session, subs);
    this.reply(session, { type: 'subscribed', id: request.id, symbols: accepted, rejected });
    if (request.snapshot === false) return;
    const states = accepted.includes(WILDCARD)
      ? this.market.all()
      : accepted.map((symbol) => this.market.get(symbol)!);
    for (const state of states) this.sendSnapshot(session, state, subs.get(state.symbol) ?? sub);
  }

  /**
   * How many symbols a connection subscribed as `subs` would be streamed with `symbol` added, as the
   * per-connection limit counts them: `*` is every symbol the market has now, and a named symbol beside it
   * adds none (it is one of them).
   */
  private streamedWith(subs: ReadonlyMap<string, Subscription>, symbol: string): number {
    if (symbol === WILDCARD || subs.has(WILDCARD)) return this.market.size;
    return subs.size + 1;
  }

  private unsubscribe(session: Session, request: UnsubscribeRequest): void {
    const subs = session.group?.subscriptionMap() ?? new Map<string, Subscription>();
    const removed = request.symbols.filter((symbol) => subs.delete(symbol));
    if (removed.length > 0) this.joinGroup(session, subs);
    this.reply(session, { type: 'unsubscribed', id: request.id, symbols: removed });
  }

  private history(session: Session, request: HistoryRequest): void {
    const bars = this.market.history(request.symbol, request.interval, request.limit ?? this.options.historyDefaultLimit, request.end);
    if (bars === undefined) {
      this.fail(session, 'UNKNOWN_SYMBOL', `no symbol "${request.symbol}" on this server`, request.id);
      return;
    }
    this.reply(session, { type: 'history', id: request.id, symbol: request.symbol, interval: request.interval, bars });
  }

  private sendSnapshot(session: Session, state: SymbolState, sub: Subscription): void {
    const key = `${sub.bars ? 1 : 0}${session.encoding}${state.symbol}`;
    let encoded = this.snapshots.get(key);
    if (encoded === undefined) {
      const message: SnapshotMessage = {
        type: 'snapshot',
        symbol: state.symbol,
        data: state.snapshot(sub.bars ? this.options.snapshotBars : 0),
      };
      encoded = session.encoding === 'json' ? encodeText(message) : encodeBinary(message);
      this.snapshots.set(key, encoded);
    }
    this.counters.bytes += session.sendEncoded(encoded);
  }

  private reply(session: Session, message: Parameters<Session['send']>[0]): void {
    this.counters.bytes += session.send(message);
  }

  private fail(session: Session, code: ErrorCode, message: string, id?: RequestId): void {
    this.counters.errors[code]++;
    this.warnings.warn(code, { session: session.id, ip: session.remote }, message);
    this.reply(session, { type: 'error', id, code, message });
  }

  /** Moves a session to the group of connections subscribed exactly as `subs` says. */
  private joinGroup(session: Session, subs: ReadonlyMap<string, Subscription>): void {
    this.leaveGroup(session);
    if (subs.size === 0) return;
    const key = Group.keyOf(subs, this.market);
    const groups = this.sliceOf(session);
    let group = groups.get(key);
    if (group === undefined) {
      group = new Group(key, subs, this.market);
      groups.set(key, group);
    }
    group.members.add(session);
    session.group = group;
  }

  private leaveGroup(session: Session): void {
    const group = session.group;
    if (group === undefined) return;
    group.members.delete(session);
    if (group.members.size === 0) this.sliceOf(session).delete(group.key);
    session.group = undefined;
  }

  /** Sends `message` to every connection, encoded once per encoding. */
  broadcast(message: Parameters<Session['send']>[0]): void {
    let binary: Uint8Array | undefined;
    let text: string | undefined;
    for (const session of this.sessions.values()) {
      const data = session.encoding === 'json' ? (text ??= encodeText(message)) : (binary ??= encodeBinary(message));
      this.counters.bytes += session.sendEncoded(data);
    }
  }

  /**
   * After the market's state was swapped (a replay went back in time) and generation `gen` closed: sends
   * every connection a fresh snapshot of each subscribed symbol, which clients apply by replacing what they
   * hold, and makes later updates carry only changes after `gen`.
   */
  resync(gen: number): void {
    this.resyncedThrough = gen;
    this.pieces.clear(gen, this.market.size);
    this.snapshots = new Map();
    // Subscriptions live in the groups (group.ts): read each group's once, for all its members.
    const subsByGroup = new Map<Group, ReadonlyMap<string, Subscription>>();
    for (const session of this.sessions.values()) {
      // A held-back connection stays held, its slow-consumer clock running (a looping replay rewinds up to
      // four times a second, and would otherwise keep a client that reads nothing open for ever): the
      // snapshots bring it to `gen`, so its catch-up, once it drains, carries what changed after that.
      if (session.pausedSince !== undefined) session.pausedSince = gen;
      const group = session.group;
      if (group === undefined) continue;
      let subs = subsByGroup.get(group);
      if (subs === undefined) subsByGroup.set(group, (subs = group.subscriptionMap()));
      const wildcard = subs.get(WILDCARD);
      const states = wildcard !== undefined ? this.market.all() : Array.from(subs.keys(), (symbol) => this.market.get(symbol)!);
      for (const state of states) this.sendSnapshot(session, state, subs.get(state.symbol) ?? wildcard!);
    }
  }

  /**
   * Sends the updates of the generation the market just closed: to every slice due, or while rolling to the
   * next slice in turn once it is due. `now` stamps the frames; the flush clock passes the time it measured
   * its spacing with, so one interval between a slice's services and maxRate hold by the frames' own times.
   */
  flush(result: FlushResult, now = Date.now()): void {
    const started = performance.now();
    this.snapshots = new Map();
    for (const session of this.pausedFlows) if (session.flow.release()) this.pausedFlows.delete(session);
    const slices = this.sliceList;
    let served = false;
    if (this.rollout.rolling) {
      const slice = slices[this.rollout.turn]!;
      if (this.isDue(slice, now)) {
        this.pieces.clear(this.inStepSince(slice), this.market.size);
        this.serve(slice, result.gen, now);
        this.rollout.next();
        served = true;
      }
    } else {
      // Slices served together share their pieces: after a round of one flush they all need the same since.
      this.pieces.clear(this.inStepSince(slices[0]!), this.market.size);
      for (const slice of slices) {
        if (!this.isDue(slice, now)) continue;
        this.serve(slice, result.gen, now);
        served = true;
      }
    }
    if (served) this.rollout.flushed(performance.now() - started);
  }

  /** A paced hub serves a slice once an interval at most; an unpaced one (one slice) whenever asked. */
  private isDue(slice: Slice, now: number): boolean {
    return this.sliceList.length === 1 || now - slice.servedAt >= this.options.flushIntervalMs;
  }

  /** What a slice's in-step connections need for tier-1 subscriptions: changes after its last service. */
  private inStepSince(slice: Slice): number {
    return Math.max(slice.genAt(slice.step), this.resyncedThrough);
  }

  private serve(slice: Slice, gen: number, now: number): void {
    const step = slice.step + 1;
    // In step, a connection last received tier-k symbols k services of its slice ago.
    const inStep: SinceFor = (tier) => Math.max(slice.genAt(step - tier), this.resyncedThrough);
    for (const group of slice.groups.values()) {
      const due = group.isDue(step);
      let shared: Body | undefined;
      for (const session of group.members) {
        if (session.pausedSince !== undefined) {
          this.resumeOrClose(session, slice, group, step, now);
          continue;
        }
        if (!due) continue;
        if (session.socket.bufferedAmount > this.options.maxBufferedBytes) {
          // It has everything up to its slice's previous service.
          session.pausedStep = step - 1;
          session.pausedSince = inStep(1);
          session.pausedAt = now;
          this.counters.paused++;
          continue;
        }
        shared ??= group.body(step, inStep, this.pieces, false, group.members.size > 1, this.groupPieces);
        this.sendUpdate(session, shared, now);
      }
    }
    this.onServed?.(inStep(1), this.sliceList.length);
    slice.served(gen, now);
  }

  private resumeOrClose(session: Session, slice: Slice, group: Group, step: number, now: number): void {
    if (session.socket.bufferedAmount <= this.options.maxBufferedBytes / 2) {
      // Everything changed since the pause, in one frame: for tier k the connection last got data at its
      // slice's last service up to the pause whose step was a multiple of k.
      const paused = session.pausedStep;
      const sinceFor: SinceFor = (tier) =>
        tier === 1 ? session.pausedSince! : Math.max(slice.genAt(paused - (paused % tier)), this.resyncedThrough);
      const body = group.body(step, sinceFor, this.pieces, true, false, this.catchUpPieces);
      session.pausedSince = undefined;
      this.sendUpdate(session, body, now);
    } else if (now - session.pausedAt > this.options.slowClientTimeoutMs) {
      this.closeSlowConsumer(session);
    }
  }

  /**
   * Closes a connection held back too long with 4000. It leaves the fan-out at once and its requests are no
   * longer read. The close frame waits behind the bytes the client has not read: a client that reads up to
   * it within the grace gets it and the connection closes cleanly; one that does not (stalled, or gone
   * without a FIN) has its socket destroyed then, unsent bytes and all. Either way it is counted once, as a
   * slow consumer closed with 4000 (routes/ws.ts reads session.closedAs), not as 1006.
   */
  private closeSlowConsumer(session: Session): void {
    this.counters.slowClosed++;
    this.leaveGroup(session);
    this.pausedFlows.delete(session);
    session.flow.halt();
    session.closedAs = CLOSE_CODES.slowConsumer;
    session.socket.close(CLOSE_CODES.slowConsumer, 'slow consumer: reconnect and resubscribe');
    const socket = session.socket;
    session.closeTimer = setTimeout(() => socket.terminate(), this.options.slowConsumerCloseGraceMs ?? SLOW_CONSUMER_CLOSE_GRACE_MS);
    session.closeTimer.unref();
  }

  private sendUpdate(session: Session, body: Body, now: number): void {
    if (body.count === 0) return;
    session.seq++;
    if (session.framesToLose > 0) {
      session.framesToLose--;
      return;
    }
    const bytes =
      session.encoding === 'json'
        ? session.sendEncoded(textFrame(session.seq, now, body))
        : session.sendFrame(binaryFrame(session.seq, now, body, this.frameArena), this.frameArena);
    this.counters.frames++;
    this.counters.entries += body.count;
    this.counters.updateBytes += bytes;
    this.counters.bytes += bytes;
  }
}
