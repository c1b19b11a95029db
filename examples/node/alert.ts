/**
 * Alerts when a symbol moves more than X % within a minute, by the trades' own times (so it works on
 * replays too).
 *
 *   node --conditions=tickertape-source --import tsx examples/node/alert.ts [--url URL] [--pct 1] [--window-s 60] [--once] SYMBOL...
 *
 * Prints one line per alert (and rings the bell on a terminal); `*` watches every symbol. It reads 1 s bars
 * rather than quotes: a bar's high and low hold every trade of its second, so a spike is seen even if this
 * loop falls behind and the stream conflates (a quote stream would hand over only the latest price). After
 * an alert the symbol's window starts afresh, so one move alerts once.
 */
import { parseArgs } from 'node:util';
import { connect, type Bar } from 'tickertape/client';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string', default: 'ws://localhost:8080/ws' },
    pct: { type: 'string', default: '1' },
    'window-s': { type: 'string', default: '60' },
    once: { type: 'boolean', default: false },
  },
});
const thresholdPct = Number(values.pct);
const windowMs = Number(values['window-s']) * 1000;
if (positionals.length === 0 || !(thresholdPct > 0) || !(windowMs > 0)) {
  process.stderr.write('usage: alert.ts [--url URL] [--pct X] [--window-s S] [--once] SYMBOL...\n');
  process.exit(2);
}

const client = connect({ url: values.url, name: 'alert-example' });
client.on('error', (error) => process.stderr.write(`alert: ${error.message}\n`));
/** Each symbol's 1 s bars of the current window, by start time. */
const windows = new Map<string, Map<number, Readonly<Bar>>>();
const bell = process.stdout.isTTY === true ? '\x07' : '';

try {
  await watch();
} catch (error) {
  // E.g. every symbol refused (RequestFailed: UNKNOWN_SYMBOL): say so, without a stack trace.
  process.stderr.write(`alert: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
client.close();

async function watch(): Promise<void> {
  for await (const { symbol, bar } of client.bars(positionals, { forming: true })) {
    let window = windows.get(symbol);
    if (window === undefined) windows.set(symbol, (window = new Map()));
    window.set(bar[0], bar);
    const now = bar[0];
    let low: Readonly<Bar> | undefined;
    let high: Readonly<Bar> | undefined;
    for (const [time, held] of window) {
      if (time <= now - windowMs) window.delete(time);
      else {
        if (low === undefined || held[3] < low[3]) low = held;
        if (high === undefined || held[2] > high[2]) high = held;
      }
    }
    const close = bar[4];
    const rise = ((close - low![3]) / low![3]) * 100;
    const fall = ((high![2] - close) / high![2]) * 100;
    const [move, from, fromPrice] = rise >= fall ? [rise, low!, low![3]] : [-fall, high!, high![2]];
    if (Math.abs(move) < thresholdPct) continue;
    const seconds = Math.round((now - from[0]) / 1000);
    process.stdout.write(`${new Date(now).toISOString()} ALERT ${symbol} ${move > 0 ? '+' : ''}${move.toFixed(2)}% in ${seconds}s (${fromPrice} → ${close})${bell}\n`);
    window.clear();
    if (values.once) break;
  }
}
