/**
 * The cluster benchmark's load generator (bench/cluster.ts forks it): opens its connections, spread over
 * the URLs it is given, subscribes each, decodes every frame, and counts symbol updates and
 * trade-to-client latency over the window the parent marks. Not run by hand.
 */
import WebSocket from 'ws';
import { decodeBinary, encodeBinary } from '../../client/protocol/codec.js';
import type { ServerMessage } from '../../client/protocol/messages.js';
import { LATENCY_BUCKETS_PER_MS, LATENCY_MAX_MS, type FromLoad, type LoadReport, type LoadSpec, type ToLoad } from './load-protocol.js';

/** Handshakes in flight at once, so a thousand connections do not arrive as one burst. */
const MAX_PENDING_CONNECTS = 50;

/** The wall clock at sub-millisecond resolution, the clock the simulator's event times follow. */
function wallNowMs(): number {
  return performance.timeOrigin + performance.now();
}

class Measure {
  measuring = false;
  frames = 0;
  updates = 0;
  dropped = 0;
  latency = new Uint32Array(LATENCY_MAX_MS * LATENCY_BUCKETS_PER_MS + 1);

  start(): void {
    this.measuring = true;
    this.frames = this.updates = this.dropped = 0;
    this.latency.fill(0);
  }

  message(message: ServerMessage, receivedAt: number): void {
    if (!this.measuring || message.type !== 'update') return;
    this.frames++;
    for (const entry of message.updates) {
      this.updates++;
      // `t` is the last trade's event time (whole ms); a quote-only change carries none.
      if (entry.t === undefined) continue;
      const ms = Math.min(LATENCY_MAX_MS, Math.max(0, receivedAt - entry.t));
      this.latency[Math.round(ms * LATENCY_BUCKETS_PER_MS)]!++;
    }
  }

  report(connected: number): LoadReport {
    const latency: [number, number][] = [];
    this.latency.forEach((count, bucket) => {
      if (count > 0) latency.push([bucket, count]);
    });
    return { connected, dropped: this.dropped, frames: this.frames, updates: this.updates, latency };
  }
}

function run(spec: LoadSpec, send: (message: FromLoad) => void): { measure: Measure; sockets: Set<WebSocket> } {
  const measure = new Measure();
  const sockets = new Set<WebSocket>();
  let next = 0;
  let pending = 0;
  let subscribed = 0;
  let failed = 0;
  const settled = (): void => {
    pending--;
    if (subscribed + failed === spec.subscriptions.length) send({ type: 'subscribed', connected: subscribed, failed });
    else connect();
  };
  const connect = (): void => {
    while (pending < MAX_PENDING_CONNECTS && next < spec.subscriptions.length) {
      const index = next++;
      const socket = new WebSocket(spec.urls[index % spec.urls.length]!, ['msgpack'], { perMessageDeflate: false });
      pending++;
      let done = false;
      const settle = (ok: boolean): void => {
        if (done) return;
        done = true;
        if (ok) subscribed++;
        else failed++;
        settled();
      };
      socket.binaryType = 'nodebuffer';
      socket.on('open', () => {
        sockets.add(socket);
        socket.send(encodeBinary({ type: 'subscribe', id: 1, symbols: [...spec.subscriptions[index]!], snapshot: false }));
      });
      socket.on('message', (data: Buffer) => {
        const message = decodeBinary(data) as ServerMessage;
        if (message.type === 'subscribed') settle(true);
        else if (message.type === 'error') settle(false);
        measure.message(message, wallNowMs());
      });
      socket.on('error', () => settle(false));
      socket.on('close', () => {
        if (sockets.delete(socket) && measure.measuring) measure.dropped++;
        settle(false);
      });
    }
  };
  connect();
  return { measure, sockets };
}

if (process.send === undefined) {
  process.stderr.write('bench/cluster/load.ts is started by bench/cluster.ts, not by hand\n');
  process.exit(2);
}
let running: ReturnType<typeof run> | undefined;
process.on('message', (message: ToLoad) => {
  if (message.type === 'start') running = run(message.spec, (reply) => process.send?.(reply));
  else if (message.type === 'measure') running?.measure.start();
  else if (running !== undefined) {
    running.measure.measuring = false;
    process.send?.({ type: 'report', report: running.measure.report(running.sockets.size) } satisfies FromLoad);
  }
});
process.on('disconnect', () => process.exit(0));
