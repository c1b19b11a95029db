/**
 * Peer: what a developer builds with plain `ws` and no tickertape. Each tick is sent, as the normalized tick
 * in JSON, to every connection subscribed to its symbol, the moment it arrives: one message per tick per
 * subscriber, stringified and UTF-8 encoded once per tick (the best a developer would think of). Clients
 * send `{"type":"subscribe","symbols":[...]}`.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { benchFeed } from '../servers/feed.js';
import { runServerProcess } from '../servers/process.js';

runServerProcess(async (spec) => {
  const feed = benchFeed(spec.market);
  const subscribers = new Map<string, Set<WebSocket>>();
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => server.once('listening', resolve));

  server.on('connection', (socket) => {
    const mine = new Set<string>();
    socket.on('message', (data) => {
      let request: { type?: unknown; symbols?: unknown };
      try {
        request = JSON.parse(String(data)) as typeof request;
      } catch {
        return;
      }
      if (request.type !== 'subscribe' || !Array.isArray(request.symbols)) return;
      for (const symbol of request.symbols) {
        if (typeof symbol !== 'string') continue;
        let set = subscribers.get(symbol);
        if (set === undefined) subscribers.set(symbol, (set = new Set()));
        set.add(socket);
        mine.add(symbol);
      }
    });
    socket.on('close', () => {
      for (const symbol of mine) subscribers.get(symbol)?.delete(socket);
    });
  });

  let ticks = 0;
  let owed = 0;
  let eventTimeMs = 0;
  const iterator = feed[Symbol.asyncIterator]();
  void (async () => {
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      const tick = next.value;
      ticks++;
      eventTimeMs = tick.ts;
      const set = subscribers.get(tick.symbol);
      if (set === undefined || set.size === 0) continue;
      owed += set.size;
      // Encoded once per tick, not once per subscriber: sent as a text frame from the same bytes.
      const text = Buffer.from(JSON.stringify(tick));
      for (const socket of set) socket.send(text, { binary: false });
    }
  })();

  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    port: address.port,
    symbols: feed.instruments.map((instrument) => instrument.symbol),
    go: () => feed.go(),
    counters: () => ({ ticks, owed, eventTimeMs, connections: server.clients.size, heldBack: 0 }),
    close: async () => {
      await iterator.return?.();
      for (const socket of server.clients) socket.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
});
