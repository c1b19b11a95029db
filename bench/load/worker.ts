/**
 * A load-generator process: opens its share of the connections, subscribes each, decodes every frame, and
 * measures symbol updates, wire bytes and tick-to-client latency over the window the parent marks.
 * Started by the benchmark (bench/run-target.ts) with `fork`; several run side by side.
 */
import WebSocket from 'ws';
import type { FromLoad, LoadReport, LoadSpec, ToLoad } from '../servers/ipc.js';
import { encodeHistogram, newRecordingHistogram, type Histogram } from './latency.js';
import { PROTOCOLS, type UpdateSink } from './protocols.js';

/** How often progress is reported while connecting. */
const PROGRESS_INTERVAL_MS = 250;

/** Bytes of the WebSocket frame header of an unmasked server frame carrying `length` payload bytes. */
function frameHeaderBytes(length: number): number {
  return length < 126 ? 2 : length < 0x1_0000 ? 4 : 10;
}

/** The wall clock at microsecond resolution, the clock the feed's event times follow. */
function wallNowMs(): number {
  return performance.timeOrigin + performance.now();
}

class Measure implements UpdateSink {
  measuring = false;
  updates = 0;
  frames = 0;
  wireBytes = 0;
  seqGaps = 0;
  dropped = 0;
  /** Receive time of the frame being decoded. */
  now = 0;

  constructor(readonly latency: Histogram) {}

  start(): void {
    this.measuring = true;
    this.updates = this.frames = this.wireBytes = this.seqGaps = this.dropped = 0;
    this.latency.reset();
  }

  frame(bytes: number): void {
    this.now = wallNowMs();
    if (!this.measuring) return;
    this.frames++;
    this.wireBytes += bytes + frameHeaderBytes(bytes);
  }

  update(eventTimeMs: number): void {
    if (!this.measuring) return;
    this.updates++;
    // Microseconds; event times are whole or fractional ms, and never later than now but for clock reads
    // a few µs apart in two processes.
    this.latency.recordValue(Math.max(1, Math.round((this.now - eventTimeMs) * 1000)));
  }

  gap(missing: number): void {
    if (this.measuring) this.seqGaps += missing;
  }
}

function run(spec: LoadSpec, measure: Measure, send: (message: FromLoad) => void): { measure: Measure; sockets: Set<WebSocket> } {
  const sockets = new Set<WebSocket>();
  const newProtocol = PROTOCOLS[spec.protocol];
  let next = 0;
  let pending = 0;
  let connected = 0;
  let failed = 0;
  let firstError: string | undefined;

  const connect = (): void => {
    while (pending < spec.maxPendingConnects && next < spec.subscriptions.length) {
      const index = next++;
      const symbols = spec.subscriptions[index]!;
      const protocol = newProtocol();
      const localAddress = spec.localAddresses[index % spec.localAddresses.length];
      const socket = new WebSocket(protocol.url(spec.port), { localAddress, perMessageDeflate: false, skipUTF8Validation: true });
      pending++;
      let ready = false;
      const settle = (ok: boolean): void => {
        if (ready) return;
        ready = true;
        pending--;
        if (ok) connected++;
        else failed++;
        connect();
      };
      socket.on('open', () => {
        sockets.add(socket);
        if (protocol.open(socket, symbols)) settle(true);
      });
      socket.on('message', (data: Buffer, isBinary) => {
        measure.frame(data.length);
        if (protocol.message(socket, data, isBinary, measure)) settle(true);
      });
      socket.on('error', (error) => {
        firstError ??= error.message;
        settle(false);
      });
      socket.on('close', () => {
        if (sockets.delete(socket) && measure.measuring) measure.dropped++;
        settle(false);
      });
    }
  };
  connect();
  const progress = setInterval(() => {
    send({ type: 'progress', connected, failed, ...(firstError === undefined ? {} : { firstError }) });
    if (connected + failed === spec.subscriptions.length) clearInterval(progress);
  }, PROGRESS_INTERVAL_MS);
  return { measure, sockets };
}

if (process.send === undefined) {
  process.stderr.write('this program is started by the benchmark (npm run bench), not by hand\n');
  process.exit(2);
}
const send = (message: FromLoad): void => {
  process.send?.(message);
};
let running: ReturnType<typeof run> | undefined;
// Made while the parent starts the others; 'start' waits for it (messages before it would be lost if the
// listener were added after an await).
const latency = newRecordingHistogram();
process.on('message', (message: ToLoad) => {
  switch (message.type) {
    case 'start':
      void latency.then((histogram) => {
        running = run(message.spec, new Measure(histogram), send);
      });
      return;
    case 'measure':
      running?.measure.start();
      return;
    case 'report': {
      const measure = running?.measure;
      if (measure === undefined) return;
      measure.measuring = false;
      const report: LoadReport = {
        connected: running?.sockets.size ?? 0,
        dropped: measure.dropped,
        updates: measure.updates,
        frames: measure.frames,
        wireBytes: measure.wireBytes,
        seqGaps: measure.seqGaps,
        latency: encodeHistogram(measure.latency),
      };
      send({ type: 'report', report });
      return;
    }
    case 'stop':
      for (const socket of running?.sockets ?? []) socket.terminate();
      process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
