/**
 * The cluster roles' Prometheus metrics (docs/operations.md#metrics), read when Prometheus scrapes from
 * the counters the ingest and the gateway keep anyway.
 */
import { Histogram, type Registry } from 'prom-client';
import { scrapedMetrics } from '../metrics/server-metrics.js';
import type { Gateway } from './gateway.js';
import type { Ingest, IngestState } from './ingest.js';

export const PUBLISH_DURATION_BUCKETS_S = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

const INGEST_STATES: readonly IngestState[] = ['connecting', 'standby', 'active', 'lost', 'stopped'];

function redisMetrics(registry: Registry, role: { readonly redisConnected: boolean; readonly redisDisconnects: number }): void {
  const { value, gauge } = scrapedMetrics(registry);
  gauge('tickertape_redis_connected', '1 while the connection to Redis is up, else 0.', () => (role.redisConnected ? 1 : 0));
  value('tickertape_redis_disconnects_total', 'Times Redis was lost, once per outage however many connections it dropped (each is followed by a resync).', () => role.redisDisconnects);
}

/** Registers the ingest's metrics; returns the publish duration histogram for it to observe. */
export function registerIngestMetrics(registry: Registry, ingest: Ingest): Histogram {
  const { value, gauge, labelledGauge } = scrapedMetrics(registry);
  redisMetrics(registry, ingest);
  labelledGauge('tickertape_ingest_state', 'The ingest\'s state: 1 for the current one (active publishes; standby waits for the lease).', 'state', () =>
    INGEST_STATES.map((state) => [state, ingest.state === state ? 1 : 0]),
  );
  const counters = (): Ingest['publisher']['counters'] => ingest.publisher.counters;
  value('tickertape_ingest_records_published_total', 'Flush records written to Redis.', () => counters().records);
  value('tickertape_ingest_entries_published_total', 'Symbol entries written to Redis.', () => counters().entries);
  value('tickertape_ingest_bars_published_total', '1 s and 1 min bars written to Redis.', () => counters().bars);
  value('tickertape_ingest_record_bytes_published_total', 'Bytes of flush records written to Redis.', () => counters().recordBytes);
  value('tickertape_ingest_publish_failures_total', 'Publishes that failed (Redis away or refusing); the next one carries their changes.', () => ingest.publishFailures);
  gauge('tickertape_ingest_published_generation', 'The market generation Redis holds.', () => ingest.publisher.through);
  return new Histogram({
    name: 'tickertape_ingest_publish_duration_seconds',
    help: 'Time to write one flush to Redis (one round trip, atomic).',
    buckets: PUBLISH_DURATION_BUCKETS_S,
    registers: [registry],
  });
}

export function registerGatewayMetrics(registry: Registry, gateway: Gateway): void {
  const { value, gauge, labelled } = scrapedMetrics(registry);
  redisMetrics(registry, gateway);
  gauge('tickertape_gateway_synced', '1 while the gateway follows the update stream with the market loaded, else 0.', () => (gateway.phase === 'following' ? 1 : 0));
  labelled('tickertape_gateway_resyncs_total', 'Times the market was loaded from the state keys, by reason (start, redis: the link came back, gap: the stream skipped records, invalid).', 'reason', () =>
    Object.entries(gateway.counters.resyncs),
  );
  gauge('tickertape_gateway_last_resync_seconds', 'How long the last load of the market from the state keys took.', () => gateway.lastResyncMs / 1000);
  value('tickertape_gateway_records_applied_total', 'Flush records applied from the update stream.', () => gateway.counters.records);
  value('tickertape_gateway_entries_applied_total', 'Symbol entries applied from the update stream.', () => gateway.counters.entries);
  gauge('tickertape_gateway_stream_seq', 'Sequence number of the last flush record applied.', () => gateway.position?.seq ?? 0);
  gauge('tickertape_gateway_lag_seconds', 'From the ingest publishing the last record applied to this gateway reading it.', () => gateway.lagMs / 1000);
  gauge('tickertape_gateway_ingest_silence_seconds', 'Since the last flush record arrived (the ingest publishes at least every second).', () =>
    gateway.lastRecordAt === 0 ? 0 : (Date.now() - gateway.lastRecordAt) / 1000,
  );
}
