/**
 * How a load-generating client speaks to each server under test: where it connects, how it subscribes, and
 * how it decodes every frame into symbol updates with their event times. Each decodes exactly what a
 * client of that server would: tickertape's MessagePack frames with the shared codec, the peers' JSON.
 */
import type { WebSocket } from 'ws';
import { decodeBinary, encodeBinary } from '../../client/protocol/codec.js';
import type { UpdateMessage } from '../../client/protocol/messages.js';
import type { ProtocolName } from '../servers/ipc.js';

/** Where a decoded frame's updates go. */
export interface UpdateSink {
  /** One symbol update whose newest tick happened at `eventTimeMs` (ms since the epoch). */
  update(eventTimeMs: number): void;
  /** A frame whose sequence number skipped `missing` frames. */
  gap(missing: number): void;
}

export interface ClientProtocol {
  url(port: number): string;
  /**
   * After the WebSocket opens: subscribe (or start the handshake that will). Returns true when nothing
   * more is needed for the subscription to stand (no acknowledgement to wait for).
   */
  open(socket: WebSocket, symbols: readonly string[]): boolean;
  /** Decodes one message; returns true once the connection is subscribed (the first time it is). */
  message(socket: WebSocket, data: Buffer, isBinary: boolean, sink: UpdateSink): boolean;
}

/** tickertape: MessagePack, a watchlist subscription (no bars, as the dashboard's watchlist asks). */
function tickertape(): ClientProtocol {
  let seq = 0;
  return {
    url: (port) => `ws://127.0.0.1:${port}/ws`,
    open(socket, symbols) {
      socket.send(encodeBinary({ type: 'subscribe', symbols, bars: false }));
      return false;
    },
    message(_socket, data, _isBinary, sink) {
      const message = decodeBinary(data) as { type: string };
      if (message.type === 'update') {
        const update = message as UpdateMessage;
        if (seq !== 0 && update.seq !== seq + 1) sink.gap(update.seq - seq - 1);
        seq = update.seq;
        for (const entry of update.updates) if (entry.t !== undefined) sink.update(entry.t);
        return false;
      }
      return message.type === 'subscribed';
    },
  };
}

interface TickJson {
  readonly ts: number;
}

function wsJson(): ClientProtocol {
  return {
    url: (port) => `ws://127.0.0.1:${port}/`,
    open(socket, symbols) {
      socket.send(JSON.stringify({ type: 'subscribe', symbols }));
      return true;
    },
    message(_socket, data, _isBinary, sink) {
      const tick = JSON.parse(data.toString('utf8')) as TickJson;
      sink.update(tick.ts);
      return false;
    },
  };
}

/**
 * Socket.IO over its WebSocket transport, spoken directly (Engine.IO v4 packets): `0` open, `40` connect to
 * the main namespace, `42[event, data]` events, `2`/`3` ping and pong. The wire is exactly what
 * socket.io-client would receive.
 */
function socketIo(): ClientProtocol {
  let symbols: readonly string[] = [];
  return {
    url: (port) => `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`,
    open(_socket, wanted) {
      symbols = wanted;
      return false;
    },
    message(socket, data, _isBinary, sink) {
      const text = data.toString('utf8');
      if (text.startsWith('42')) {
        const [, tick] = JSON.parse(text.slice(2)) as [string, TickJson];
        sink.update(tick.ts);
        return false;
      }
      if (text === '2') {
        socket.send('3');
        return false;
      }
      if (text.startsWith('0')) {
        socket.send('40');
        return false;
      }
      if (text.startsWith('40')) {
        socket.send(`42${JSON.stringify(['subscribe', symbols])}`);
        return true;
      }
      return false;
    },
  };
}

export const PROTOCOLS: Readonly<Record<ProtocolName, () => ClientProtocol>> = {
  tickertape,
  'ws-json': wsJson,
  socketio: socketIo,
};
