import { Writable } from 'node:stream';
import { afterEach, describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.js';
import { openReplay } from '../../feeds/replay/index.js';
import { defineConfig } from '../../server/config.js';
import { until } from '../helpers/cluster.js';
import { instrument, ManualFeed } from '../helpers/manual-feed.js';
import { scratchFolder } from '../helpers/scratch.js';
import { startServer, sleep, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws-client.js';

const T0 = Date.UTC(2024, 5, 3, 14, 30);
const files = scratchFolder('tickertape-operations-');
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('probes', () => {
  test('/healthz answers while the process lives; /readyz only while the feed runs', async () => {
    const feed = new ManualFeed([instrument('AAPL')]);
    server = await startServer({ feed });
    expect(await (await fetch(`${server.http}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.http}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready', feed: 'running' }]);
    feed.end();
    await sleep(20);
    const ended = await fetch(`${server.http}/readyz`);
    expect([ended.status, await ended.json()]).toEqual([503, { status: 'feed not running', feed: 'ended' }]);
    expect((await fetch(`${server.http}/healthz`)).status).toBe(200);
  });
});

describe('probes of a replay', () => {
  test('/readyz stays 200 once the replay has ended or failed (it still serves, and can be sought back), and says so', async () => {
    const good = files.write('good.csv', 'time,symbol,price,size\n2024-01-02T14:30:00Z,X,10,1\n2024-01-02T14:30:01Z,X,11,1\n');
    server = await startServer({ feed: await openReplay({ files: [good], speed: 'max' }) });
    const ended = await until(async () => {
      const body = (await (await fetch(`${server!.http}/readyz`)).json()) as Record<string, unknown>;
      return body['replay'] === 'ended' ? body : undefined;
    }, 'the replay to end');
    expect(ended).toEqual({ status: 'ready', feed: 'running', replay: 'ended' });
    await server.close();
    const bad = files.write('bad.csv', 'time,symbol,price,size\n2024-01-02T14:30:00Z,X,10,1\n2024-01-02T14:30:01Z,X,abc,1\n');
    server = await startServer({ feed: await openReplay({ files: [bad], speed: 'max' }) });
    const failed = await until(async () => {
      const response = await fetch(`${server!.http}/readyz`);
      const body = (await response.json()) as Record<string, unknown>;
      return body['replay'] === 'failed' ? { status: response.status, body } : undefined;
    }, 'the replay to fail');
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ status: 'ready', feed: 'running', replay: 'failed', replayError: { code: 'BAD_LINE' } });
    expect((failed.body['replayError'] as { message: string }).message).toContain(`${bad}:3: bad price`);
  });
});

describe('/metrics', () => {
  test('serves Prometheus text with the fan-out, rejection, ingest and process metrics, and they move', async () => {
    const feed = new ManualFeed([instrument('AAPL'), instrument('MSFT')]);
    server = await startServer({ feed, config: { flushIntervalMs: 10 } });
    const client = await WsClient.open(server.url);
    client.send({ type: 'subscribe', id: 1, symbols: ['AAPL'] });
    await client.next('subscribed');
    for (let i = 0; i < 20; i++) {
      feed.push({ symbol: 'AAPL', ts: T0 + i * 100, price: 100 + i, size: 1 });
      await sleep(5);
    }
    await client.until(() => (client.of('update').length >= 3 ? true : undefined), 'a few updates');
    client.sendRaw(Buffer.from([0xc1]));
    await client.next('error');

    const response = await fetch(`${server.http}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const value = (line: string): number => Number(new RegExp(`^${line.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('tickertape_connections')).toBe(1);
    expect(value('tickertape_ticks_ingested_total')).toBe(20);
    expect(value('tickertape_update_frames_sent_total')).toBe(client.of('update').length);
    expect(value('tickertape_update_entries_sent_total')).toBeGreaterThanOrEqual(3);
    expect(value('tickertape_entries_encoded_total')).toBeGreaterThanOrEqual(3);
    expect(value('tickertape_bytes_sent_total')).toBeGreaterThan(value('tickertape_update_bytes_sent_total'));
    expect(value('tickertape_rejected_inputs_total{reason="BAD_FRAME"}')).toBe(1);
    // Each update frame came out of a flush (one client: at most one frame a flush), and flushes with nothing to send count too.
    expect(value('tickertape_flush_duration_seconds_count')).toBeGreaterThanOrEqual(client.of('update').length);
    expect(value('tickertape_feed_running')).toBe(1);
    expect(value('tickertape_symbols')).toBe(2);
    for (const name of ['tickertape_conflated_pauses_total', 'tickertape_slow_consumer_closes_total', 'tickertape_heartbeat_terminations_total', 'tickertape_buffered_bytes']) {
      expect(value(name), name).toBe(0);
    }
    for (const name of ['process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(value(name), name).toBeGreaterThan(0);
    }
    client.close();
    await client.closedWith();
    await sleep(20);
    expect(await (await fetch(`${server.http}/metrics`)).text()).toMatch(/^tickertape_connections_closed_total\{code="1005"\} 1$/m); // closed without a code
  });
});

describe('close codes in /metrics', () => {
  test('a connection the server closed for a broken frame counts under the code the server sent', async () => {
    server = await startServer({ feed: new ManualFeed([instrument('AAPL')]) });
    const big = await WsClient.open(server.url);
    big.sendRaw(Buffer.alloc(20_000));
    const notUtf8 = await WsClient.open(server.url);
    notUtf8.sendRaw(Buffer.from([0xff]), false);
    expect([(await big.closedWith()).code, (await notUtf8.closedWith()).code]).toEqual([1009, 1007]);
    const text = await until(async () => {
      const metrics = await (await fetch(`${server!.http}/metrics`)).text();
      return /^tickertape_connections \S+ 0$|^tickertape_connections 0$/m.test(metrics) ? metrics : undefined;
    }, 'both connections to close');
    const closed = text.split('\n').filter((line) => line.startsWith('tickertape_connections_closed_total{'));
    expect(closed.sort()).toEqual(['tickertape_connections_closed_total{code="1007"} 1', 'tickertape_connections_closed_total{code="1009"} 1']);
  });
});

describe('logs', () => {
  test('are JSON lines: connections at debug, rejected input at warn with its reason, tokens never', async () => {
    const lines: { level: number; msg: string; reason?: string; code?: number; url?: string }[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line) as (typeof lines)[number]);
        done();
      },
    });
    const app: FastifyInstance = await buildApp({ config: defineConfig({ logLevel: 'debug' }), feed: new ManualFeed([instrument('AAPL')]), logger: { level: 'debug', stream } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    try {
      const client = await WsClient.open(`ws://127.0.0.1:${port}/ws`);
      client.send({ type: 'dance', id: 1 });
      await client.next('error');
      client.close();
      await client.closedWith();
      await fetch(`http://127.0.0.1:${port}/api/symbols?access_token=s3cret-value`);
      await sleep(30);
    } finally {
      await app.close();
    }
    expect(lines.find((line) => line.msg === 'connection open')?.level).toBe(20);
    expect(lines.find((line) => line.msg === 'connection closed')).toMatchObject({ level: 20, code: 1005 });
    expect(lines.find((line) => line.level === 40)).toMatchObject({ reason: 'UNKNOWN_TYPE', msg: 'unknown request type "dance"' });
    expect(lines.find((line) => line.msg === 'request' && line.url?.startsWith('/api/symbols'))?.url).toBe('/api/symbols?access_token=[redacted]');
    expect(JSON.stringify(lines)).not.toContain('s3cret-value');
  });
});
