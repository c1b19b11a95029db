/**
 * Peer: what a developer builds with Socket.IO and no tickertape. A room per symbol; each tick is emitted
 * the moment it arrives, as the normalized tick in JSON, to its symbol's room: one event per tick per
 * subscriber (Socket.IO encodes each broadcast once). Clients emit `subscribe` with a list of symbols.
 * Socket.IO's defaults otherwise, as a developer would leave them.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { benchFeed } from '../servers/feed.js';
import { runServerProcess } from '../servers/process.js';

runServerProcess(async (spec) => {
  const feed = benchFeed(spec.market);
  const http = createServer();
  const io = new Server(http, { serveClient: false });
  io.on('connection', (socket) => {
    socket.on('subscribe', (symbols: unknown) => {
      if (Array.isArray(symbols)) void socket.join(symbols.filter((symbol): symbol is string => typeof symbol === 'string'));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));

  let ticks = 0;
  let owed = 0;
  let eventTimeMs = 0;
  const rooms = io.of('/').adapter.rooms;
  const iterator = feed[Symbol.asyncIterator]();
  void (async () => {
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      const tick = next.value;
      ticks++;
      eventTimeMs = tick.ts;
      owed += rooms.get(tick.symbol)?.size ?? 0;
      io.to(tick.symbol).emit('tick', tick);
    }
  })();

  const address = http.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    port: address.port,
    symbols: feed.instruments.map((instrument) => instrument.symbol),
    go: () => feed.go(),
    counters: () => ({ ticks, owed, eventTimeMs, connections: io.engine.clientsCount, heldBack: 0 }),
    close: async () => {
      await iterator.return?.();
      io.disconnectSockets(true);
      await io.close();
    },
  };
});
