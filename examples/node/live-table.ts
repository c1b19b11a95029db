/**
 * A live table of quotes in the terminal, redrawn a few times a second.
 *
 *   node --conditions=tickertape-source --import tsx examples/node/live-table.ts [--url URL] [SYMBOL...]
 *
 * (From an installed package, `node live-table.js`: the import below resolves to the built client.) Without
 * symbols it shows a few stocks and coins. `--frames N` stops after N redraws; when stdout is not a terminal
 * each redraw is printed below the last instead of in place.
 */
import { parseArgs } from 'node:util';
import { connect, type InstrumentInfo, type Quote } from 'tickertape/client';

const REDRAW_EVERY_MS = 250;
const DEFAULT_SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'BTC-USD', 'ETH-USD', 'SOL-USD'];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { url: { type: 'string', default: 'ws://localhost:8080/ws' }, frames: { type: 'string' } },
});
const symbols = positionals.length > 0 ? positionals : DEFAULT_SYMBOLS;
const frames = values.frames === undefined ? Number.POSITIVE_INFINITY : Number(values.frames);

const client = connect({ url: values.url, name: 'live-table-example' });
client.on('error', (error) => process.stderr.write(`live-table: ${error.message}\n`));
await client.ready();
const info = new Map<string, InstrumentInfo>((await client.list()).map((entry) => [entry.symbol, entry]));

const latest = new Map<string, Quote>();
/** Symbols the server refused, with why: shown as such rather than as a row of dashes. */
const refused = new Map<string, string>();
client.on('subscription', ({ symbol, refused: why }) => {
  if (why !== undefined) refused.set(symbol, `${why.code}: ${why.message}`);
});
const previous = new Map<string, number>();
const tty = process.stdout.isTTY === true;
const color = (code: number, text: string): string => (tty ? `\x1b[${code}m${text}\x1b[0m` : text);

function row(symbol: string): string {
  const why = refused.get(symbol);
  if (why !== undefined) return `${symbol.padEnd(10)}refused (${why})`;
  const quote = latest.get(symbol);
  const decimals = Math.max(0, Math.round(-Math.log10(info.get(symbol)?.tickSize ?? 0.01)));
  const price = (value: number | undefined): string => (value === undefined || Number.isNaN(value) ? '—' : value.toFixed(decimals));
  const last = price(quote?.last);
  const before = previous.get(symbol);
  // Green when the last price rose since the previous redraw, red when it fell.
  const shown = quote === undefined || before === undefined || quote.last === before ? last : color(quote.last > before ? 32 : 31, last);
  // `+ 0` turns a rounded -0 into 0: no "-0.00%".
  const change = quote === undefined ? Number.NaN : Number(quote.changePct.toFixed(2)) + 0;
  const pct = Number.isNaN(change) ? '—' : `${change >= 0 ? '+' : ''}${change.toFixed(2)}%`;
  const pad = (text: string, width: number): string => ' '.repeat(Math.max(0, width - text.replace(/\x1b\[\d+m/g, '').length)) + text;
  return `${symbol.padEnd(10)}${pad(shown, 14)}${pad(pct, 9)}${pad(price(quote?.bid), 14)}${pad(price(quote?.ask), 14)}${pad(quote === undefined ? '—' : String(quote.volume), 16)}`;
}

let drawn = 0;
function draw(): void {
  const lines = [
    `${'SYMBOL'.padEnd(10)}${'LAST'.padStart(14)}${'CHG'.padStart(9)}${'BID'.padStart(14)}${'ASK'.padStart(14)}${'VOLUME'.padStart(16)}`,
    ...symbols.map(row),
    `${client.state}, ${new Date().toISOString()}`,
  ];
  process.stdout.write(tty ? `\x1b[H\x1b[J${lines.join('\n')}\n` : `${lines.join('\n')}\n\n`);
  for (const [symbol, quote] of latest) previous.set(symbol, quote.last);
  if (++drawn >= frames) client.close();
}

const timer = setInterval(draw, REDRAW_EVERY_MS);
// The loop gets the latest quote of each symbol; the table shows whatever is newest at each redraw.
try {
  for await (const quote of client.quotes(symbols, { maxRate: 1000 / REDRAW_EVERY_MS })) latest.set(quote.symbol, quote);
} catch (error) {
  // Every symbol refused, say: the last table shows why; the message says it once more.
  draw();
  process.stderr.write(`live-table: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
  client.close();
}
clearInterval(timer);
