import { Registry } from 'prom-client';
import { describe, expect, test } from 'vitest';
import { registerIngestMetrics } from './cluster-metrics.js';
import type { Ingest, IngestState } from './ingest.js';

/** The parts of an ingest its metrics read. */
function fakeIngest(state: IngestState): { ingest: Ingest; set(next: IngestState): void } {
  const fields = {
    state,
    redisConnected: true,
    redisDisconnects: 0,
    publishFailures: 0,
    publisher: { counters: { records: 0, entries: 0, bars: 0, recordBytes: 0 }, through: 0 },
  };
  return { ingest: fields as unknown as Ingest, set: (next) => (fields.state = next) };
}

describe('ingest metrics', () => {
  test('tickertape_ingest_state is a gauge: 1 for the current state, 0 for the others, and a state left goes back to 0', async () => {
    const registry = new Registry();
    const { ingest, set } = fakeIngest('standby');
    registerIngestMetrics(registry, ingest);
    const states = async (): Promise<string[]> => (await registry.metrics()).split('\n').filter((line) => line.includes('tickertape_ingest_state'));
    expect(await states()).toEqual([
      expect.stringMatching(/^# HELP tickertape_ingest_state /),
      '# TYPE tickertape_ingest_state gauge',
      'tickertape_ingest_state{state="connecting"} 0',
      'tickertape_ingest_state{state="standby"} 1',
      'tickertape_ingest_state{state="active"} 0',
      'tickertape_ingest_state{state="lost"} 0',
      'tickertape_ingest_state{state="stopped"} 0',
    ]);
    set('active');
    expect((await states()).filter((line) => line.endsWith(' 1'))).toEqual(['tickertape_ingest_state{state="active"} 1']);
  });
});
