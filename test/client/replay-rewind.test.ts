/**
 * The client against a real server replaying the recording shipped in feeds/samples: a seek back tells
 * `rewind`, and the bars told after it start again from the new position as new bars (not revisions of a
 * future that no longer exists), the same for the folded bars of `bars()`.
 */
import { join } from 'node:path';
import { expect, test } from 'vitest';
import type { BarEvent } from '../../client/bar-ledger.js';
import type { ReplayMessage } from '../../client/protocol/messages.js';
import { openReplay } from '../../feeds/replay/index.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { useClientAndServer } from '../helpers/client-server.js';
import { waitFor } from '../helpers/wait.js';

const SAMPLE = join(REPO_ROOT, 'feeds', 'samples', 'simulator-seed42.tape.gz');
const MINUTE_MS = 60_000;

const open = useClientAndServer();

test('a seek back tells rewind, then bars restart from the new position as new bars', async () => {
  const feed = await openReplay({ files: [SAMPLE], speed: 'max', paused: true });
  const { client } = await open(feed);
  client.connect();
  await client.ready();
  await feed.scanned;
  const start = (await client.replay('state')).start!;

  const bars: BarEvent[] = [];
  const rewinds: ReplayMessage[] = [];
  let afterRewind: BarEvent[] | undefined;
  client.on('bar', (event) => (afterRewind ?? bars).push(event));
  client.on('rewind', (message) => {
    rewinds.push(message);
    afterRewind = [];
  });
  const minutes = client.bars(['AAPL'], { interval: '1m' });
  const folded: BarEvent[] = [];
  const reading = (async () => {
    for await (const bar of minutes) folded.push(bar);
  })();
  await client.subscribe(['AAPL']);

  const far = start + 10 * MINUTE_MS;
  await client.replay('seek', { time: far });
  await waitFor(() => bars.some((event) => event.bar[0] >= far - MINUTE_MS), `the bars up to the forward seek (${bars.length} told, last ${(bars.at(-1)?.bar[0] ?? 0) - start} ms after the start)`);
  expect(rewinds).toEqual([]);
  const minutesBefore = folded.length;
  expect(minutesBefore).toBeGreaterThan(0);

  const back = start + 3 * MINUTE_MS;
  await client.replay('seek', { time: back });
  await waitFor(() => afterRewind !== undefined && afterRewind.length > 0, 'bars after the rewind');
  expect(rewinds).toHaveLength(1);
  // The snapshot after the rewind holds the bars up to `back`: told again, in order, none a revision.
  const told = afterRewind!;
  expect(told.every((event) => !event.revision)).toBe(true);
  expect(told.at(-1)!.bar[0]).toBeLessThanOrEqual(back);
  const times = told.map((event) => event.bar[0]);
  expect(times).toEqual([...new Set(times)].sort((a, b) => a - b));

  // The 1 m folds start over too: playing on from `back` tells whole minutes after it, none revised.
  await client.replay('resume');
  await waitFor(() => folded.slice(minutesBefore).some((event) => event.bar[0] > back), 'a folded minute after the rewind');
  const foldedAfter = folded.slice(minutesBefore).filter((event) => event.bar[0] > back - MINUTE_MS);
  expect(foldedAfter.every((event) => !event.revision)).toBe(true);
  await client.replay('pause');
  await minutes.return();
  await reading;
});
