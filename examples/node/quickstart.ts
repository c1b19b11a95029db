// Five quotes, the last minute's bar from history, then three 1 s bars as they close.
import { connect } from 'tickertape/client';

const url = process.argv[2] ?? 'ws://localhost:8080/ws';
const client = connect({ url });

let quotes = 0;
for await (const quote of client.quotes(['AAPL', 'BTC-USD'])) {
  console.log(`${quote.symbol} ${quote.last} (bid ${quote.bid}, ask ${quote.ask}) ${quote.changePct.toFixed(2)}%`);
  if (++quotes === 5) break;
}

const [minute] = await client.history('BTC-USD', '1m', { limit: 1 });
console.log('BTC-USD this minute so far: open, high, low, close, volume =', minute?.slice(1));

let bars = 0;
for await (const { symbol, bar } of client.bars(['BTC-USD'])) {
  const [time, open, high, low, close, volume] = bar;
  console.log(`${symbol} ${new Date(time).toISOString()} o ${open} h ${high} l ${low} c ${close} v ${volume}`);
  if (++bars === 3) break;
}
client.close();
