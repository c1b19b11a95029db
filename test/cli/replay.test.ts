/**
 * `tickertape replay`, `record` and `serve --record` as a user runs them: real processes, real files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { finished, lineMatching, REPO_ROOT, tickertape, tickertapeWithFileLimit } from '../helpers/cli.js';
import { scratchFolder } from '../helpers/scratch.js';
import { WsClient } from '../helpers/ws-client.js';

const files = scratchFolder('tickertape-cli-replay-');

/**
 * The CLI with a terminal for its standard streams, as at a shell: util-linux's `script` runs it on a
 * pseudo-terminal and copies what it writes there to its own stdout.
 */
function onTerminal(args: string[]): ChildProcess {
  const quote = (word: string): string => `'${word.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, '--import', 'tsx', 'cli/main.ts', ...args].map(quote).join(' ');
  return spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}
const SAMPLE = 'feeds/samples/simulator-seed42.tape.gz';
const QUIET = ['--port', '0', '--host', '127.0.0.1', '--log-level', 'warn'];

describe('tickertape replay', () => {
  test('--help lists the formats and flags', async () => {
    const help = await finished(tickertape(['replay', '--help']));
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: tickertape replay FILE\.\.\. \[options\]/);
    expect(help.stdout).toMatch(/tickertape, csv, binance-trades, binance-aggtrades, binance-capture, coinbase-capture, tardis/);
    for (const flag of ['--speed S', '--from TIME', '--to TIME', '--loop', '--skip-bad', '--symbol SYM', '--exit']) expect(help.stdout).toContain(flag);
    const main = await finished(tickertape(['--help']));
    expect(main.stdout).toMatch(/replay +serve the dashboard on recorded market data/);
  });

  test('replays the shipped recording at max speed and prints a summary at the end', async () => {
    const run = await finished(tickertape(['replay', SAMPLE, '--speed', 'max', '--exit', ...QUIET]), 60_000);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/ticks: +18,000 from 18,001 lines/);
    expect(run.stderr).toMatch(/symbols: +60 AAPL/);
    expect(run.stderr).toMatch(/span: +2024-01-02T14:30:00\.034Z \.\. 2024-01-02T14:45:02\.176Z \(15 min 2 s\)/);
    expect(run.stderr).toMatch(/skipped: +none/);
  });

  test('serves the replay on /ws, with its state after hello', async () => {
    const child = tickertape(['replay', SAMPLE, '--speed', '10', '--port', '0', '--host', '127.0.0.1']);
    const done = finished(child);
    const [, port] = await lineMatching(child, /dashboard on http:\/\/localhost:(\d+)\//);
    const client = await WsClient.open(`ws://127.0.0.1:${port}/ws`);
    expect((await client.next('hello')).feed.kind).toBe('replay');
    expect(await client.next('replay')).toMatchObject({ speed: 10, files: [{ name: 'simulator-seed42.tape.gz', format: 'tickertape' }] });
    client.close();
    child.kill('SIGINT');
    expect((await done).code).toBe(0);
  });

  test('--from and --to take a time to the minute, with a space for the T, in UTC', async () => {
    const run = await finished(tickertape(['replay', SAMPLE, '--from', '2024-01-02 14:44', '--to', '2024-01-02T14:45', '--speed', 'max', '--exit', ...QUIET]), 60_000);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/span: +2024-01-02T14:44:00\.\d{3}Z \.\. 2024-01-02T14:44:59\.\d{3}Z/);
  });

  test('strict: the first bad line stops the replay with FILE:LINE: reason and exit status 1', async () => {
    const path = files.write('bad.csv', 'time,symbol,price,size\n2024-01-02T14:30:00Z,A,10,1\n2024-01-02T14:30:01Z,A,ten,1\n2024-01-02T14:30:02Z,A,11,1\n');
    const run = await finished(tickertape(['replay', path, '--speed', 'max', '--exit', ...QUIET]));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`tickertape: ${path}:3: bad price: "ten" [BAD_LINE]\n`);
    expect(run.stderr).toMatch(/ticks: +1 from/);
    // Said once, as above: bad input is no fault of the program, so no log record of it with a stack trace.
    const output = run.stdout + run.stderr;
    expect(output.split('bad price').length - 1, output).toBe(1);
    expect(output).not.toMatch(/"level":50|"stack"|at FileTicks/);
  });

  test('a gzip file cut short fails the replay once, with its code, and no stack trace in the log', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `2024-01-02T14:30:00Z,A,10,${i + 1}\n`).join('');
    const whole = gzipSync(`time,symbol,price,size\n${rows}`);
    const path = files.write('cut.csv.gz', whole.subarray(0, whole.length / 2));
    const run = await finished(tickertape(['replay', path, '--speed', 'max', '--exit', ...QUIET]));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`tickertape: ${path.replace(/[.\\/]/g, '\\$&')}:\\d+: truncated gzip: the file ends in the middle of the compressed stream \\[BAD_GZIP\\]\n`));
    const output = run.stdout + run.stderr;
    expect(output.split('truncated gzip').length - 1, output).toBe(1);
    expect(output).not.toMatch(/"level":50|"stack"/);
  });

  test('--skip-bad goes on and counts skipped lines by reason', async () => {
    const path = files.write(
      'skip.csv',
      'time,symbol,price,size\n2024-01-02T14:30:00Z,A,10,1\n2024-01-02T14:30:01Z,A,ten,1\n2024-01-02T14:20:00Z,A,9,1\n2024-01-02T14:30:02Z,A,11,1\n',
    );
    const run = await finished(tickertape(['replay', path, '--speed', 'max', '--exit', '--skip-bad', ...QUIET]));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/ticks: +2 from 5 lines/);
    expect(run.stderr).toMatch(/skipped: +1 bad price, 1 out of order|skipped: +1 out of order, 1 bad price/);
  });

  test('one far-future time is the line reported (strict) or skipped (--skip-bad), not the good lines after it', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => `2013-10-07T12:10:${String(40 + i)}.516Z,BAC,13.91,100,Z`);
    rows.splice(5, 0, '2113-10-07T08:30:00.000Z,BAC,13.9,100,N');
    const path = files.write('far-ahead.csv', `timestamp,symbol,price,size,exchange\n${rows.join('\n')}\n`);
    const strict = await finished(tickertape(['replay', path, '--speed', 'max', '--exit', ...QUIET]));
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain(`tickertape: ${path}:7: far ahead: 2113-10-07T08:30:00.000Z is 36523.8 days after the newest time before it`);
    expect(strict.stderr).toMatch(/ticks: +5 from/);
    const skipping = await finished(tickertape(['replay', path, '--speed', 'max', '--exit', '--skip-bad', ...QUIET]));
    expect(skipping.code, skipping.stderr).toBe(0);
    expect(skipping.stderr).toMatch(/ticks: +10 from 12 lines/);
    expect(skipping.stderr).toMatch(/span: +2013-10-07T12:10:40\.516Z \.\. 2013-10-07T12:10:49\.516Z/);
    expect(skipping.stderr).toMatch(/skipped: +1 far ahead\n/);
  });

  test('a gzip file with a bit flipped in the middle fails with BAD_GZIP naming it (exit 1), under --skip-bad too', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `${1704205800000 + i * 50},${['AAPL', 'BAC', 'BTC-USD'][i % 3]},${(100 + (i % 400) / 100).toFixed(2)},${1 + (i % 9)},b,,`);
    const whole = gzipSync(`# tickertape recording v1: ts,symbol,price,size,side,bid,ask\n${rows.join('\n')}\n`);
    whole[Math.floor(whole.length / 2)]! ^= 0x10;
    const path = files.write('flipped.tape.gz', whole);
    const place = new RegExp(`tickertape: ${path.replace(/[.\\/]/g, '\\$&')}(:\\d+)?: corrupt gzip data`);
    const strict = await finished(tickertape(['replay', path, '--speed', 'max', '--exit', ...QUIET]));
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(place);
    const skipping = await finished(tickertape(['replay', path, '--speed', 'max', '--exit', '--skip-bad', ...QUIET]));
    expect(skipping.code, skipping.stderr).toBe(1);
    expect(skipping.stderr).toMatch(place);
  });

  test('a gap of 60 days in event time is waited out quietly, and a seek over it still works', async () => {
    // 2024-01-01 to 2024-03-01: 5,184,000,000 ms, over twice the longest timer Node keeps (2^31-1 ms).
    const path = files.write('gap.csv', 'timestamp,symbol,price,size\n2024-01-01T00:00:00Z,X,1,1\n2024-01-01T00:00:01Z,X,1,1\n2024-03-01T00:00:00Z,X,2,1\n');
    const child = tickertape(['replay', path, '--port', '0', '--host', '127.0.0.1']);
    const done = finished(child);
    const [, port] = await lineMatching(child, /dashboard on http:\/\/localhost:(\d+)\//);
    const client = await WsClient.open(`ws://127.0.0.1:${port}/ws`);
    await client.next('hello');
    await client.next('replay');
    // Well into the wait: a timer that overflowed fired every millisecond, with a warning each time.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    client.send({ type: 'replay', id: 1, action: 'seek', time: Date.UTC(2024, 2, 1) });
    const answer = await client.next('replay', (message) => message.id === 1);
    expect(answer).toMatchObject({ position: Date.UTC(2024, 2, 1), rewinds: 0 });
    client.close();
    child.kill('SIGINT');
    const exit = await done;
    expect(exit.code).toBe(0);
    expect(exit.stderr).not.toContain('TimeoutOverflowWarning');
    expect(exit.stderr).toMatch(/ticks: +3 from 4 lines/);
  });

  test('symbols the protocol cannot name are bad lines (FILE:LINE and the symbol), skipped and counted with --skip-bad, never listed', async () => {
    // A space, a comma (quoted), 43 characters, and two bytes that are not UTF-8 (FF FE); then a good one.
    const symbols = [Buffer.from('BRK B'), Buffer.from('"A,B"'), Buffer.from('X'.repeat(43)), Buffer.from([0xff, 0xfe]), Buffer.from('OK')];
    const rows = symbols.map((symbol, i) => Buffer.concat([Buffer.from(`2024-01-02T14:30:0${i}Z,`), symbol, Buffer.from(',10,1\n')]));
    const path = files.write('symbols.csv', Buffer.concat([Buffer.from('timestamp,symbol,price,size\n'), ...rows]));
    const strict = await finished(tickertape(['replay', path, '--speed', 'max', '--exit', ...QUIET]));
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain(`tickertape: ${path}:2: bad symbol: "BRK B" (a symbol is 1 to 32 letters, digits or . _ : / -)`);
    const child = tickertape(['replay', path, '--speed', 'max', '--skip-bad', '--port', '0', '--host', '127.0.0.1']);
    const done = finished(child);
    const [, port] = await lineMatching(child, /dashboard on http:\/\/localhost:(\d+)\//);
    const client = await WsClient.open(`ws://127.0.0.1:${port}/ws`);
    await client.next('hello');
    await client.next('replay', (message) => message.state === 'ended');
    client.send({ type: 'list', id: 1 });
    expect((await client.next('list')).symbols.map((instrument) => instrument.symbol)).toEqual(['OK']);
    client.send({ type: 'subscribe', id: 2, symbols: ['*'] });
    await client.next('subscribed');
    await client.next('snapshot');
    expect(client.of('snapshot').map((snapshot) => snapshot.symbol)).toEqual(['OK']);
    client.close();
    child.kill('SIGINT');
    const exit = await done;
    expect(exit.stderr).toMatch(/skipped: +4 bad symbol/);
  });

  test.each([
    [['replay', 'no/such/file.csv'], /tickertape: no\/such\/file\.csv: cannot read: no such file/],
    [['replay', '--speed', 'fast', SAMPLE], /--speed must be a number from 0\.1 to 100000 \(times real time\) or "max", got "fast"/],
    [['replay', '--speed', '0x10', SAMPLE], /--speed must be a number from 0\.1 to 100000 \(times real time\) or "max", got "0x10"/],
    [['replay', '--speed', '-1', SAMPLE], /^tickertape: --speed must be a number from 0\.1 to 100000 \(times real time\) or "max", got "-1"\n$/],
    [['replay', SAMPLE, '--port', '-1'], /^tickertape: port must be a whole number from 0 to 65535 \(--port, PORT\), got "-1"\n$/],
    [['replay', '--from', 'noon', SAMPLE], /--from must be a time such as 2024-08-09T00:05:00Z/],
    [['replay', '--format', 'xml', SAMPLE], /--format must be one of tickertape, csv/],
    [['replay'], /name at least one file to replay/],
    [['replay', SAMPLE, '--rate', '5'], /Unknown option '--rate'/],
    [['replay', SAMPLE, '--loop', '--exit'], /--loop and --exit cannot go together: a looping replay never ends/],
  ])('%j is refused with a clear message and exit status 2', async (args, message) => {
    const run = await finished(tickertape(args));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  test('an empty file and a file of no known format are refused by name', async () => {
    const empty = files.write('empty.csv', '');
    const unknown = files.write('notes.txt', 'dear diary\n');
    const runs = await Promise.all([finished(tickertape(['replay', empty])), finished(tickertape(['replay', unknown]))]);
    expect(runs.map((run) => run.code)).toEqual([2, 2]);
    expect(runs[0]!.stderr).toBe(`tickertape: ${empty}: empty file [EMPTY]\n`);
    expect(runs[1]!.stderr).toContain(`tickertape: ${unknown}:1: unknown format: the first line "dear diary"`);
    expect(runs[1]!.stderr).toMatch(/; name one with --format \[UNKNOWN_FORMAT\]\n$/);
  });
});

describe('tickertape record', () => {
  test('records the seeded simulator to a gzip file that replays to the same ticks', async () => {
    const out = files.path('sim.tape.gz');
    const run = await finished(tickertape(['record', '--out', out, '--seed', '7', '--rate', '100', '--warmup-s', '60', '--start', '2024-01-02T14:30:00Z', '--ticks', '3000']));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`recorded 3,000 ticks to ${out}`);
    expect(run.stderr, 'no progress line when stderr is not a terminal').not.toContain('\r');
    const lines = gunzipSync(readFileSync(out)).toString().trim().split('\n');
    expect(lines[0]).toBe('# tickertape recording v1: ts,symbol,price,size,side,bid,ask');
    expect(lines).toHaveLength(3001);
    const again = await finished(tickertape(['replay', out, '--speed', 'max', '--exit', ...QUIET]));
    expect(again.stderr).toMatch(/ticks: +3,000 from 3,001 lines/);
    // Never overwrites.
    const refused = await finished(tickertape(['record', '--out', out, '--ticks', '1']));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${out} already exists`);
  });

  test('on a terminal: a progress line redrawn in place, cleared before the summary; none with --no-progress', async () => {
    const out = files.path('watched.tape');
    const run = await finished(onTerminal(['record', '--out', out, '--rate', '2000', '--duration-s', '2']));
    expect(run.code, run.stdout).toBe(0);
    const drawings = run.stdout.split('\r').filter((text) => text.endsWith('\u001b[K') && text.length > 3);
    expect(drawings.length, run.stdout).toBeGreaterThanOrEqual(4);
    for (const drawing of drawings) expect(drawing).toMatch(new RegExp(`^ +[\\d,]+ ticks +[\\d,]+ ticks/s  ${out.replace(/[.\\/]/g, '\\$&')} \\d+\\.\\d MB\u001b\\[K$`));
    const counts = drawings.map((drawing) => Number(/([\d,]+) ticks /.exec(drawing)![1]!.replaceAll(',', '')));
    expect(counts.at(-1)).toBeGreaterThan(counts[0]!);
    // The line is cleared, then the summary is written on a line of its own.
    expect(run.stdout).toMatch(/\r\u001b\[Krecorded [\d,]+ ticks to /);
    const quiet = await finished(onTerminal(['record', '--out', files.path('quiet.tape'), '--rate', '2000', '--duration-s', '1', '--no-progress']));
    expect(quiet.code, quiet.stdout).toBe(0);
    expect(quiet.stdout).not.toContain('ticks/s');
    expect(quiet.stdout).toMatch(/^recorded [\d,]+ ticks to /);
  });

  test('--gzip-level picks the level and means gzip; a bad level, or one without a recording, is refused', async () => {
    const out = files.path('fast.tape');
    const run = await finished(tickertape(['record', '--out', out, '--gzip-level', '1', '--rate', '1000', '--warmup-s', '60', '--ticks', '2000']));
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(out).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(gunzipSync(readFileSync(out)).toString().trim().split('\n')).toHaveLength(2001);
    const refused = await Promise.all([
      finished(tickertape(['record', '--out', files.path('never.tape'), '--gzip-level', '0'])),
      finished(tickertape(['record', '--out', files.path('never.tape'), '--gzip-level', 'max'])),
      finished(tickertape(['serve', '--record-gzip-level', '3'])),
      finished(tickertape(['serve', '--record', files.path('never.tape'), '--record-gzip-level', '10'])),
    ]);
    expect(refused.map((r) => r.code)).toEqual([2, 2, 2, 2]);
    expect(refused[0]!.stderr).toContain('--gzip-level must be a whole number from 1 to 9 (1 fastest, 9 smallest), got "0"');
    expect(refused[1]!.stderr).toContain('--gzip-level must be a whole number from 1 to 9 (1 fastest, 9 smallest), got "max"');
    expect(refused[2]!.stderr).toContain('--record-gzip-level needs --record FILE');
    expect(refused[3]!.stderr).toContain('--record-gzip-level must be a whole number from 1 to 9 (1 fastest, 9 smallest), got "10"');
    expect(existsSync(files.path('never.tape'))).toBe(false);
  });

  test('its numeric flags take plain decimal numbers only, with exit status 2 before anything is written', async () => {
    const never = files.path('never-numeric.tape');
    const runs = await Promise.all(
      [
        ['--ticks', '0x10'],
        ['--duration-s', '1e1'],
        ['--gzip-level', ' 1'],
        ['--rotate-mb', '0x1'],
        ['--rate', '0b11'],
        ['--ticks', '-5'],
        ['--rate', '-5'],
      ].map((args) => finished(tickertape(['record', '--out', never, ...args]))),
    );
    expect(runs.map((run) => run.code)).toEqual([2, 2, 2, 2, 2, 2, 2]);
    expect(runs[0]!.stderr).toContain('--ticks must be a whole number from 1 to ');
    expect(runs[0]!.stderr).toContain(', got "0x10"');
    expect(runs[1]!.stderr).toContain(', got "1e1"');
    expect(runs[2]!.stderr).toContain('--gzip-level must be a whole number from 1 to 9 (1 fastest, 9 smallest), got " 1"');
    expect(runs[3]!.stderr).toContain(', got "0x1"');
    expect(runs[4]!.stderr).toContain('tick rate must be a whole number from 1 to 1000000 ticks/s (--rate, TICK_RATE), got "0b11"');
    // A negative number gets the flag's range too, not parseArgs' "ambiguous" and the usage.
    expect(runs[5]!.stderr).toBe('tickertape: --ticks must be a whole number from 1 to 9007199254740991, got "-5"\n');
    expect(runs[6]!.stderr).toBe('tickertape: tick rate must be a whole number from 1 to 1000000 ticks/s (--rate, TICK_RATE), got "-5"\n');
    expect(existsSync(never)).toBe(false);
  });

  test('--duration-s stops at Node\'s longest timer: one second more is refused, not a recording that stops at once', async () => {
    const [longest, longer] = await Promise.all([
      finished(tickertape(['record', '--out', files.path('longest.tape'), '--duration-s', '2147483', '--rate', '1000', '--ticks', '100'])),
      finished(tickertape(['record', '--out', files.path('longer.tape'), '--duration-s', '2147484', '--rate', '1000', '--ticks', '100'])),
    ]);
    expect(longest.code, longest.stderr).toBe(0);
    expect(longest.stderr).toContain('recorded 100 ticks');
    expect(longer.code).toBe(2);
    expect(longer.stderr).toContain('--duration-s must be a whole number from 1 to 2147483 s, got "2147484"');
    expect(existsSync(files.path('longer.tape'))).toBe(false);
  });

  test('--rotate-mb and serve\'s --record-rotate-mb share one rule and one message', async () => {
    const [record, serve] = await Promise.all([
      finished(tickertape(['record', '--out', files.path('tiny.tape'), '--rotate-mb', '0.01'])),
      finished(tickertape(['serve', '--record', files.path('tiny.tape'), '--record-rotate-mb', '0.01'])),
    ]);
    expect([record.code, serve.code]).toEqual([2, 2]);
    expect(record.stderr).toBe('tickertape: --rotate-mb must be a number from 0.0625 to 1048576 MiB (64 KiB to 1 TiB), got "0.01"\n');
    expect(serve.stderr).toBe('tickertape: --record-rotate-mb must be a number from 0.0625 to 1048576 MiB (64 KiB to 1 TiB), got "0.01"\n');
    // Half a MiB, which serve refused ("at least 1 MiB") while record took it, now records in both.
    const out = files.path('half.tape');
    const child = tickertape(['serve', '--record', out, '--record-rotate-mb', '0.5', '--rate', '500', '--warmup-s', '0', '--port', '0', '--host', '127.0.0.1']);
    const done = finished(child);
    await lineMatching(child, /dashboard on http:\/\/localhost:\d+\//);
    child.kill('SIGTERM');
    const exit = await done;
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stderr).toMatch(/recorded [\d,]+ ticks? to .*half-0001\.tape/);
  });

  test('exit status: 2 for an --out that cannot be created, 1 for a write that fails once started; --help says so', async () => {
    const help = await finished(tickertape(['record', '--help']));
    expect(help.stdout).toContain(
      '  1  the recording started and then failed: a write failed (a full disk; the next file of a rotated\n' +
        '     series already exists), or a --feed venue was never reached (the file holds nothing of it)\n' +
        '  2  nothing was recorded: a bad flag, or an --out FILE that cannot be created: it exists (a recording\n' +
        '     never overwrites one), its folder does not, or it may not be written there\n',
    );
    const missing = files.path('no-such-folder/a.tape');
    const noFolder = await finished(tickertape(['record', '--out', missing, '--ticks', '1']));
    expect(noFolder.code).toBe(2);
    expect(noFolder.stderr).toBe(`tickertape: cannot create ${missing}: its folder ${files.path('no-such-folder')} does not exist\n`);
    // The second file of the series is taken: the first is written, then rotating to the second fails.
    files.write('taken-0002.tape', 'not a recording\n');
    const failed = await finished(tickertape(['record', '--out', files.path('taken.tape'), '--rotate-mb', '0.0625', '--rate', '1000', '--warmup-s', '60', '--ticks', '20000']));
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`tickertape: ${files.path('taken-0002.tape')} already exists`);
    expect(failed.stderr).toMatch(new RegExp(`recorded [\\d,]+ ticks to ${files.path('taken-0001.tape').replace(/[.\\/]/g, '\\$&')}\n`));
    expect(readFileSync(files.path('taken-0002.tape'), 'utf8')).toBe('not a recording\n');
  });

  test.each([
    ['cut.tape', []],
    ['cut.tape.gz', []],
    // A rotating gzip series waits for zlib's flush of each block: the failure ends that wait too.
    ['cut-0001.tape.gz', ['--rotate-mb', '1']],
  ])('a write the kernel refuses mid-recording (%s; a full disk): exit 1, said once, the file replays up to the cut', async (name, rotation) => {
    // Files of at most 64 KiB: the recording fails within its first second (it used to hang, then exit 13).
    const out = files.path(name);
    const flags = ['--out', files.path(name.replace('-0001', '')), ...rotation];
    const run = await finished(tickertapeWithFileLimit(64, ['record', ...flags, '--rate', '20000', '--warmup-s', '900', '--ticks', '1000000', '--no-progress']), 30_000);
    expect(run.code, run.stderr).toBe(1);
    const message = `tickertape: writing ${out} failed: EFBIG: file too large, write\n`;
    expect(run.stderr.split(message)).toHaveLength(2);
    expect(run.stderr).toMatch(new RegExp(`recorded [\\d,]+ ticks to ${out.replace(/[.\\/]/g, '\\$&')}, but writing failed: .* ends short of the last of them`));
    expect(statSync(out).size).toBe(64 * 1024);
    const replay = await finished(tickertape(['replay', out, '--speed', 'max', '--exit', '--skip-bad', '--port', '0', '--host', '127.0.0.1']), 30_000);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stderr).toMatch(/\(tickertape\): [\d,]+ ticks/);
  });

  test('rotates by size into numbered files, each replayable on its own', async () => {
    const out = files.path('rot.tape');
    const run = await finished(tickertape(['record', '--out', out, '--rotate-mb', '0.25', '--rate', '1000', '--warmup-s', '60', '--ticks', '20000']));
    expect(run.code, run.stderr).toBe(0);
    const series = readdirSync(files.path('')).filter((name) => /^rot-\d{4}\.tape$/.test(name)).sort();
    expect(series.length).toBeGreaterThanOrEqual(3);
    expect(series[0]).toBe('rot-0001.tape');
    expect(existsSync(out)).toBe(false);
    for (const name of series) {
      expect(readFileSync(files.path(name), 'utf8').split('\n')[0]).toBe('# tickertape recording v1: ts,symbol,price,size,side,bid,ask');
      // About the size asked for: rotation happens at the first block written past it.
      expect(statSync(files.path(name)).size).toBeLessThan(0.25 * 1_048_576 + 70 * 1024);
    }
    const merged = await finished(tickertape(['replay', ...series.map((name) => files.path(name)), '--speed', 'max', '--exit', ...QUIET]), 60_000);
    expect(merged.stderr).toMatch(/ticks: +20,000 from/);
  });

  test('serve --record writes every tick the server plays', async () => {
    const out = files.path('served.tape');
    const child = tickertape(['serve', '--record', out, '--rate', '500', '--warmup-s', '5', '--port', '0', '--host', '127.0.0.1']);
    const done = finished(child);
    await lineMatching(child, /dashboard on http:\/\/localhost:\d+\//);
    await new Promise((resolve) => setTimeout(resolve, 500));
    child.kill('SIGTERM');
    const exit = await done;
    expect(exit.code).toBe(0);
    const recorded = Number(/recorded ([\d,]+) ticks/.exec(exit.stderr)?.[1]?.replaceAll(',', ''));
    expect(recorded).toBeGreaterThan(2_000);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(recorded + 1);
  });
});
