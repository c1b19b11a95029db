import { describe, expect, test } from 'vitest';
import { LiveStatus } from '../feeds/live/status.js';
import { TickRecorder } from '../feeds/recording/recorder.js';
import { openReplay } from '../feeds/replay/index.js';
import { createSimulator } from '../feeds/simulator/index.js';
import { Market } from '../server/market/market.js';
import { REPO_ROOT } from '../test/helpers/cli.js';
import { scratchFolder } from '../test/helpers/scratch.js';
import { progressLine, recordingLine, PROGRESS_INTERVAL_MS } from './progress.js';

const files = scratchFolder('tickertape-progress-');

/** A terminal 200 columns wide that keeps what is written to it. */
function terminal(): { out: NodeJS.WriteStream; written: () => string } {
  let written = '';
  const out = { columns: 200, write: (text: string) => (written += text) } as unknown as NodeJS.WriteStream;
  return { out, written: () => written };
}

const drawings = (written: string): string[] => written.split('\r').filter((frame) => frame !== '');
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('the replay progress line', () => {
  test('redraws in place: share of the file read, ticks/s, replayed time and state; clears itself when stopped', async () => {
    const feed = await openReplay({ files: [`${REPO_ROOT}/feeds/samples/simulator-seed42.tape.gz`], speed: 'max' });
    const market = new Market(feed.instruments, { retention: { secondBars: 900, minuteBars: 1440 }, maxSymbols: 1000 });
    const { out, written } = terminal();
    const line = progressLine(feed, market, out);
    for await (const tick of feed) market.apply(tick);
    await pause(PROGRESS_INTERVAL_MS * 2);
    const frames = drawings(written());
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.at(-1)).toMatch(/^\[#{24}\] 100\.0% +[\d,]+ ticks\/s {2}2024-01-02T14:45:02\.176Z {2}ended max\u001b\[K$/);
    line.stop();
    expect(written().endsWith('\r\u001b[K')).toBe(true);
  });
});

describe('the recording progress line', () => {
  test('ticks written, ticks/s, the file and its size, and each exchange connection', async () => {
    const file = files.path('line.tape');
    const recorder = await TickRecorder.open({ file });
    const live = new LiveStatus([
      { venue: 'binance', symbols: [{ symbol: 'ETH-USDT' }] },
      { venue: 'coinbase', symbols: [{ symbol: 'BTC-USD' }] },
    ]);
    live.setLink('binance', 'live');
    const { out, written } = terminal();
    const line = recordingLine(recorder, live, out);
    const ticks = createSimulator({ seed: 1, ticksPerSecond: 1000, startTime: Date.parse('2024-01-02T14:30:00Z') }).ticks();
    for (let i = 0; i < 5_000; i++) recorder.write(ticks.next().value!);
    recorder.flush();
    await pause(PROGRESS_INTERVAL_MS * 2);
    const last = drawings(written()).at(-1);
    expect(last).toMatch(new RegExp(`^ +5,000 ticks +[\\d,]+ ticks/s  ${file.replace(/[.\\/]/g, '\\$&')} 0\\.[1-9] MB  binance live, coinbase connecting\u001b\\[K$`));
    // The rate is what was written since the previous drawing: nothing more, so it falls to 0.
    await pause(PROGRESS_INTERVAL_MS * 2);
    expect(drawings(written()).at(-1)).toMatch(/^ +5,000 ticks +0 ticks\/s /);
    line.stop();
    expect(written().endsWith('\r\u001b[K')).toBe(true);
    await recorder.close();
  });

  test('a line wider than the terminal is cut to its width', async () => {
    const recorder = await TickRecorder.open({ file: files.path('narrow.tape.gz') });
    let written = '';
    const out = { columns: 40, write: (text: string) => (written += text) } as unknown as NodeJS.WriteStream;
    const line = recordingLine(recorder, undefined, out);
    await pause(PROGRESS_INTERVAL_MS * 2);
    line.stop();
    const frame = drawings(written).find((text) => text !== '\u001b[K')!;
    expect(frame.replace('\u001b[K', '')).toHaveLength(39);
    expect(frame).toMatch(/^ +0 ticks +0 ticks\/s /);
    await recorder.close();
  });
});
