/** Plain-text tables for the terminal and for docs/benchmarks.md (the same rows, two renderings). */

export type Cell = string | number;

export interface Table {
  readonly header: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

/** What a scenario gives bench/main.ts to print and to write as JSON. */
export interface ScenarioOutput {
  readonly tables: readonly { title: string; table: Table }[];
  readonly data: unknown;
  readonly notes: readonly string[];
  /** The heading's words after the scenario's name, where the scenario decides them at run time. */
  readonly summary?: string;
  /** Why the scenario was not run, when it was not (its notes say so): no results file is written for it. */
  readonly skipped?: string;
}

function text(cell: Cell): string {
  return typeof cell === 'number' ? formatNumber(cell) : cell;
}

/** Numbers as people read them: thousands separated, at most three significant decimals. */
export function formatNumber(value: number, digits?: number): string {
  if (!Number.isFinite(value)) return '-';
  const abs = Math.abs(value);
  const decimals = digits ?? (abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3);
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

export function renderText(table: Table): string {
  const cells = [table.header, ...table.rows.map((row) => row.map(text))];
  const widths = table.header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]): string =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd();
  return [line(cells[0]!), line(widths.map((width) => '-'.repeat(width))), ...cells.slice(1).map(line)].join('\n');
}

export function renderMarkdown(table: Table): string {
  const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [
    row([...table.header]),
    row(table.header.map((_, column) => (column === 0 ? '---' : '---:'))),
    ...table.rows.map((cells) => row(cells.map(text))),
  ].join('\n');
}
