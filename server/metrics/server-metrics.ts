/**
 * The server's Prometheus metrics. Counters the hot path already keeps (hub and market counters) are read
 * when Prometheus scrapes, so fan-out pays nothing for them; what only the edges see (rejected handshakes,
 * close codes, heartbeat terminations) is counted here as it happens. Process-wide facts (RSS, heap,
 * event-loop lag, GC) come from prom-client's default collectors, registered once per process.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { WebSocket } from 'ws';
import type { Hub } from '../hub/hub.js';
import type { FeedSource } from '../market/feed-runner.js';
import type { Market } from '../market/market.js';

/** Where the scrape-time values come from (read lazily: the hub exists after this is built). */
export interface MetricSources {
  hub(): Hub;
  market(): Market;
  feed(): FeedSource;
  sockets(): Iterable<WebSocket>;
}

/** Why an input or a connection was refused, beside the protocol's error codes (which are reasons too). */
export type EdgeRejection =
  | 'origin'
  | 'unauthorized'
  | 'ip_connection_limit'
  | 'connection_limit'
  | 'not_ready'
  | 'subprotocols'
  | 'not_websocket'
  | 'frame_too_big'
  | 'invalid_utf8'
  | 'too_many_fragments'
  | 'websocket_protocol';

let processRegistry: Registry | undefined;

/** Default process metrics: one set per process, however many apps it builds (tests build many). */
function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** Makers of metrics whose values are read when Prometheus scrapes: the hot path pays nothing for them. */
export interface ScrapedMetrics {
  /** A counter that reads its total. */
  value(name: string, help: string, read: () => number): void;
  gauge(name: string, help: string, read: () => number): void;
  /** A counter with one label, read as [label value, total] pairs (zeros left out). */
  labelled(name: string, help: string, label: string, read: () => Iterable<[string | number, number]>): void;
  /** A gauge with one label, read as [label value, value] pairs (zeros kept: a value can go down to 0). */
  labelledGauge(name: string, help: string, label: string, read: () => Iterable<[string | number, number]>): void;
}

export function scrapedMetrics(registry: Registry): ScrapedMetrics {
  const registers = [registry];
  return {
    value(name, help, read) {
      new Counter({ name, help, registers, collect() { this.reset(); this.inc(read()); } });
    },
    gauge(name, help, read) {
      new Gauge({ name, help, registers, collect() { this.set(read()); } });
    },
    labelled(name, help, label, read) {
      new Counter({
        name,
        help,
        labelNames: [label],
        registers,
        collect() {
          this.reset();
          for (const [key, count] of read()) if (count > 0) this.inc({ [label]: String(key) }, count);
        },
      });
    },
    labelledGauge(name, help, label, read) {
      new Gauge({
        name,
        help,
        labelNames: [label],
        registers,
        collect() {
          this.reset();
          for (const [key, value] of read()) this.set({ [label]: String(key) }, value);
        },
      });
    },
  };
}

export const FLUSH_DURATION_BUCKETS_S = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];

export class ServerMetrics {
  readonly registry = new Registry();
  readonly flushSeconds: Histogram;
  private readonly rejections = new Map<string, number>();
  private readonly closeCodes = new Map<number, number>();
  private heartbeatTerminations = 0;

  /** `clients`: this process serves WebSocket clients (not an ingest): report connections and fan-out. */
  constructor(sources: MetricSources, clients = true) {
    const { value, gauge, labelled } = scrapedMetrics(this.registry);
    const hub = (): Hub['counters'] => sources.hub().counters;

    if (clients) {
      gauge('tickertape_connections', 'Open WebSocket connections.', () => sources.hub().connections);
      value('tickertape_connections_opened_total', 'WebSocket connections accepted.', () => hub().connectionsOpened);
      labelled('tickertape_connections_closed_total', 'WebSocket connections closed, by close code (the server\'s for a frame it refused: 1002, 1007, 1008, 1009, and 4000 for a slow consumer, even one cut off unread; 1006: cut off without one).', 'code', () => this.closeCodes);
      value('tickertape_update_frames_sent_total', 'Update frames sent.', () => hub().frames);
      value('tickertape_update_entries_sent_total', 'Symbol entries sent inside update frames.', () => hub().entries);
      value('tickertape_entries_encoded_total', 'Symbol entries encoded (once per symbol and flush, however many clients).', () => hub().encodedEntries());
      value('tickertape_update_bytes_sent_total', 'Bytes of update frames sent.', () => hub().updateBytes);
      value('tickertape_bytes_sent_total', 'Bytes of all messages sent.', () => hub().bytes);
      value('tickertape_requests_total', 'Messages received from clients.', () => hub().requests);
      value('tickertape_conflated_pauses_total', 'Times a connection was held back and its updates conflated until it drained.', () => hub().paused);
      value('tickertape_slow_consumer_closes_total', 'Connections closed with 4000 after staying held back too long (their socket destroyed if they did not read up to the close frame in time).', () => hub().slowClosed);
      value('tickertape_heartbeat_terminations_total', 'Connections cut off for not answering pings for two intervals (never one held back: that ends as a slow consumer).', () => this.heartbeatTerminations);
      gauge('tickertape_buffered_bytes', 'Bytes queued to all connections and not yet sent.', () => {
        let total = 0;
        for (const socket of sources.sockets()) total += socket.bufferedAmount;
        return total;
      });
      gauge('tickertape_max_connection_buffered_bytes', 'Most bytes queued to one connection.', () => {
        let most = 0;
        for (const socket of sources.sockets()) most = Math.max(most, socket.bufferedAmount);
        return most;
      });
    }
    labelled('tickertape_rejected_inputs_total', 'Inputs refused, by reason: protocol error codes (RATE_LIMITED: each message dropped for the rate, though the client is told once an episode), and handshakes or frames refused before the hub.', 'reason', () => [
      ...(clients ? Object.entries(hub().errors) : []),
      ...this.rejections,
    ]);
    value('tickertape_ticks_ingested_total', 'Ticks applied to the market (rate() of it is the ingest rate).', () => sources.market().counters.ticks);
    labelled('tickertape_ticks_refused_total', 'Ticks refused, by reason.', 'reason', () => Object.entries(sources.market().counters.refused));
    gauge('tickertape_symbols', 'Symbols the market tracks.', () => sources.market().size);
    gauge('tickertape_feed_running', '1 while the feed is running, else 0.', () => (sources.feed().state === 'running' ? 1 : 0));
    this.flushSeconds = new Histogram({
      name: 'tickertape_flush_duration_seconds',
      help: 'Time to close a market generation and fan it out to every connection.',
      buckets: FLUSH_DURATION_BUCKETS_S,
      registers: [this.registry],
    });
  }

  reject(reason: EdgeRejection): void {
    this.rejections.set(reason, (this.rejections.get(reason) ?? 0) + 1);
  }

  closed(code: number): void {
    this.closeCodes.set(code, (this.closeCodes.get(code) ?? 0) + 1);
  }

  heartbeatTerminated(): void {
    this.heartbeatTerminations++;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text: this server's metrics, then the process's. */
  async text(): Promise<string> {
    return `${await this.registry.metrics()}\n${await processMetrics().metrics()}`;
  }
}
