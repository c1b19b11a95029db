/**
 * `tickertape tail SYMBOL...`: live quotes (or closed bars, with --interval) as lines on stdout, for shell
 * pipelines. Built on the client SDK's async iterators, so a slow reader (a pipe that backs up) gets the
 * latest quote of each symbol rather than a growing backlog. Exits 0 on Ctrl-C, SIGTERM or a closed pipe
 * (`| head`), 1 when it cannot connect or no symbol exists, 2 on bad arguments.
 */
import { once } from 'node:events';
import { INTERVALS, isInterval, TickerClient, type BarEvent, type Interval, type Quote } from '../client/node.js';
import { numberIn, numberMessage, type NumberRule } from '../feeds/number-text.js';
import { isSymbolName } from '../client/protocol/messages.js';
import { parseFlags } from '../server/flag-values.js';

export const DEFAULT_TAIL_URL = 'ws://localhost:8080/ws';
/**
 * --max-rate's range: down to one update in 1,000 s, up to 1,000 a second (the server flushes at most every
 * 5 ms, 200 times a second, so more is no limit).
 */
const MAX_RATE_RULE: NumberRule = { name: '--max-rate', min: 0.001, max: 1_000, whole: false, unit: 'updates per second' };

export const TAIL_USAGE = `Usage: tickertape tail SYMBOL... [options]

Prints live updates of the symbols (or * for every symbol), one line each, until interrupted.

Lines:   TIME SYMBOL LAST BID ASK CHANGE%           (quotes; - where not known yet)
         TIME SYMBOL INTERVAL OPEN HIGH LOW CLOSE VOLUME   (with --interval; "revised" at the end
                                                    when a late trade changed a bar already printed)

Options:
  --url URL         server WebSocket (TICKERTAPE_URL, default ${DEFAULT_TAIL_URL})
  TICKERTAPE_TOKEN  (environment only) access token for a server with auth on
  --json            one JSON object per line (NDJSON) instead
  --interval I      print each closed bar of ${INTERVALS.join(', ')} instead of quotes
  --max-rate N      at most N updates per second per symbol (quotes; ${MAX_RATE_RULE.min} to ${MAX_RATE_RULE.max})
  -h, --help        show this help
`;

/** Bad arguments: exit code 2 with the usage. */
class UsageError extends Error {}

interface TailArgs {
  readonly symbols: readonly string[];
  readonly url: string;
  readonly token: string | undefined;
  readonly json: boolean;
  readonly interval: Interval | undefined;
  readonly maxRate: number | undefined;
  readonly help: boolean;
}

const TAIL_OPTIONS = {
  url: { type: 'string' },
  json: { type: 'boolean' },
  interval: { type: 'string' },
  'max-rate': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseTailArgs(args: readonly string[], env: NodeJS.ProcessEnv): TailArgs {
  let parsed;
  try {
    parsed = parseFlags(args, { strict: true, allowPositionals: true, options: TAIL_OPTIONS });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const help = values.help === true;
  if (positionals.length === 0 && !help) throw new UsageError('name at least one symbol (or * for all)');
  // The characters are the protocol's; how long a name may be is the server's to say (--max-symbol-length).
  const malformed = positionals.find((symbol) => symbol !== '*' && !isSymbolName(symbol, Number.POSITIVE_INFINITY));
  if (malformed !== undefined) {
    const hint = /[\s,]/.test(malformed) ? ': name each symbol as a word of its own (tail AAPL BTC-USD)' : '';
    throw new UsageError(`"${malformed}" is not a symbol name: letters, digits or . _ : / - only${hint}`);
  }
  const url = values.url ?? env['TICKERTAPE_URL'] ?? DEFAULT_TAIL_URL;
  if (!/^wss?:\/\/./.test(url)) throw new UsageError(`--url must be a ws:// or wss:// URL, got "${url}"`);
  const interval = values.interval;
  if (interval !== undefined && !isInterval(interval)) throw new UsageError(`--interval must be one of ${INTERVALS.join(', ')}, got "${interval}"`);
  let maxRate: number | undefined;
  if (values['max-rate'] !== undefined) {
    maxRate = numberIn(values['max-rate'], MAX_RATE_RULE);
    if (maxRate === undefined) throw new UsageError(numberMessage(MAX_RATE_RULE, `"${values['max-rate']}"`));
  }
  const token = env['TICKERTAPE_TOKEN'] === '' ? undefined : env['TICKERTAPE_TOKEN'];
  return { symbols: positionals, url, token, json: values.json === true, interval, maxRate, help };
}

const formatNumber = (value: number, decimals: number | undefined): string =>
  Number.isNaN(value) ? '-' : decimals === undefined ? String(value) : value.toFixed(decimals);

/** Decimals that show a price to its tick size (0.01 → 2). */
function decimalsOf(tickSize: number): number {
  return Math.max(0, Math.min(10, Math.ceil(-Math.log10(tickSize) - 1e-9)));
}

/** Rounds away binary noise (190.01 - 190 = 0.010000000000005116) to what the tick size can express. */
function rounded(value: number, decimals: number | undefined): number {
  return decimals === undefined || Number.isNaN(value) ? value : Number(value.toFixed(decimals));
}

function quoteLine(quote: Quote, decimals: number | undefined, json: boolean): string {
  if (json) {
    return JSON.stringify({ type: 'quote', ...quote, change: rounded(quote.change, decimals), changePct: rounded(quote.changePct, 4) });
  }
  const time = Number.isNaN(quote.time) ? '-' : new Date(quote.time).toISOString();
  // `+ 0` turns a rounded -0 into 0: no "-0.00%".
  const pct = Number(quote.changePct.toFixed(2)) + 0;
  const change = Number.isNaN(pct) ? '-' : `${pct >= 0 ? '+' : ''}${pct.toFixed(2)}%`;
  const price = (value: number): string => formatNumber(value, decimals);
  return `${time} ${quote.symbol} ${price(quote.last)} ${price(quote.bid)} ${price(quote.ask)} ${change}`;
}

function barLine(event: BarEvent, interval: Interval, decimals: number | undefined, json: boolean): string {
  const [time, open, high, low, close, volume] = event.bar;
  if (json) return JSON.stringify({ type: 'bar', symbol: event.symbol, interval, time, open, high, low, close, volume, revision: event.revision });
  const price = (value: number): string => formatNumber(value, decimals);
  const revised = event.revision ? ' revised' : '';
  return `${new Date(time).toISOString()} ${event.symbol} ${interval} ${price(open)} ${price(high)} ${price(low)} ${price(close)} ${volume}${revised}`;
}

/** Resolves when connected; rejects with the first failure before that (tail does not wait for a server). */
function firstConnection(client: TickerClient): Promise<void> {
  return new Promise((resolve, reject) => {
    const offState = client.on('state', ({ newState }) => {
      if (newState !== 'connected') return;
      offState();
      offError();
      resolve();
    });
    const offError = client.on('error', (error) => {
      offState();
      offError();
      reject(error instanceof Error ? error : new Error(error.message));
    });
  });
}

/** `tickertape tail`: resolves with the exit code. */
export async function tail(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let options: TailArgs;
  try {
    options = parseTailArgs(args, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`tickertape tail: ${error.message}\n\n${TAIL_USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(TAIL_USAGE);
    return 0;
  }
  const client = new TickerClient({ url: options.url, token: options.token, name: 'tickertape-tail' });
  let exitCode: number | undefined;
  const stop = (code: number): void => {
    exitCode ??= code;
    client.close();
  };
  const onSignal = (): void => stop(0);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // A reader that goes away (`| head`) is a normal end for a pipeline tool, not an error.
  const onStdoutError = (error: NodeJS.ErrnoException): void => stop(error.code === 'EPIPE' ? 0 : 1);
  process.stdout.on('error', onStdoutError);
  try {
    client.connect();
    try {
      await firstConnection(client);
    } catch (error) {
      if (exitCode !== undefined) return exitCode;
      process.stderr.write(`tickertape tail: cannot connect to ${options.url}: ${(error as Error).message}\n`);
      return 1;
    }
    client.on('error', (error) => {
      process.stderr.write(`tickertape tail: ${error.message}${client.state === 'connecting' ? '; reconnecting' : ''}\n`);
    });
    const decimals = new Map<string, number>();
    for (const info of await client.list().catch(() => [])) decimals.set(info.symbol, decimalsOf(info.tickSize));
    const stream = options.interval === undefined ? client.quotes(options.symbols, { maxRate: options.maxRate }) : client.bars(options.symbols, { interval: options.interval, maxRate: options.maxRate });
    const refused = reportRefusals(client, options.symbols, () => stop(1));
    // A quote whose printed columns did not change (only the volume did, say) is not printed again.
    const lastLine = new Map<string, string>();
    try {
      for await (const item of stream) {
        const line = 'bar' in item ? barLine(item, options.interval!, decimals.get(item.symbol), options.json) : quoteLine(item, decimals.get(item.symbol), options.json);
        if (lastLine.get(item.symbol) === line) continue;
        lastLine.set(item.symbol, line);
        if (!process.stdout.write(`${line}\n`)) await once(process.stdout, 'drain');
        if (exitCode !== undefined) break;
      }
    } finally {
      refused();
    }
    return exitCode ?? (client.closeReason === undefined ? 0 : 1);
  } catch (error) {
    if (exitCode !== undefined) return exitCode;
    process.stderr.write(`tickertape tail: ${(error as Error).message}\n`);
    return 1;
  } finally {
    client.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.stdout.off('error', onStdoutError);
  }
}

/**
 * Says which symbols the server refused, one line each (a request refused whole refuses each of its
 * symbols); all of them refused ends the command. Returns the unlistener.
 */
function reportRefusals(client: TickerClient, symbols: readonly string[], allRefused: () => void): () => void {
  const refused = new Set<string>();
  return client.on('subscription', ({ symbol, refused: rejection }) => {
    if (rejection === undefined || refused.has(symbol)) return;
    refused.add(symbol);
    process.stderr.write(`tickertape tail: ${symbol}: ${rejection.message} (${rejection.code})\n`);
    if (symbols.every((name) => refused.has(name))) allRefused();
  });
}
