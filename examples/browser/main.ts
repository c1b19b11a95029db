/**
 * The client in a browser: a table of live quotes. The page must be served by (or proxy `/ws` to) a
 * tickertape server; docs/client.md#in-a-browser shows how to run it with Vite.
 */
import { connect } from 'tickertape/client';

const SYMBOLS = ['AAPL', 'MSFT', 'BTC-USD', 'ETH-USD'];

const client = connect({ url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`, name: 'browser-example' });
const state = document.querySelector<HTMLElement>('#state')!;
client.on('state', ({ newState }) => (state.textContent = newState));

const body = document.querySelector<HTMLTableSectionElement>('#quotes')!;
const rows = new Map(
  SYMBOLS.map((symbol) => {
    const row = body.insertRow();
    row.dataset['symbol'] = symbol;
    for (let i = 0; i < 5; i++) row.insertCell();
    row.cells[0]!.textContent = symbol;
    return [symbol, row];
  }),
);

for await (const quote of client.quotes(SYMBOLS)) {
  const row = rows.get(quote.symbol)!;
  const cells = [quote.last.toFixed(2), `${quote.changePct >= 0 ? '+' : ''}${quote.changePct.toFixed(2)}%`, quote.bid.toFixed(2), quote.ask.toFixed(2)];
  cells.forEach((text, i) => (row.cells[i + 1]!.textContent = text));
  row.className = quote.change > 0 ? 'up' : quote.change < 0 ? 'down' : '';
}
