import { describe, expect, test } from 'vitest';
import { openReplay } from '../feeds/replay/index.js';
import { Market } from '../server/market/market.js';
import { REPO_ROOT } from '../test/helpers/cli.js';
import { progressLine, PROGRESS_INTERVAL_MS } from './progress.js';

describe('the replay progress line', () => {
  test('redraws in place: share of the file read, ticks/s, replayed time and state; clears itself when stopped', async () => {
    const feed = await openReplay({ files: [`${REPO_ROOT}/feeds/samples/simulator-seed42.tape.gz`], speed: 'max' });
    const market = new Market(feed.instruments, { retention: { secondBars: 900, minuteBars: 1440 }, maxSymbols: 1000 });
    let written = '';
    const out = { columns: 200, write: (text: string) => (written += text) } as unknown as NodeJS.WriteStream;
    const line = progressLine(feed, market, out);
    for await (const tick of feed) market.apply(tick);
    await new Promise((resolve) => setTimeout(resolve, PROGRESS_INTERVAL_MS * 2));
    const frames = written.split('\r').filter((frame) => frame !== '');
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.at(-1)).toMatch(/^\[#{24}\] 100\.0% +[\d,]+ ticks\/s {2}2024-01-02T14:45:02\.176Z {2}ended max\u001b\[K$/);
    line.stop();
    expect(written.endsWith('\r\u001b[K')).toBe(true);
  });
});
