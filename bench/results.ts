/** The JSON a scenario leaves in the results folder (bench/results/<scenario>.json unless --results says). */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderMarkdown, type ScenarioOutput } from './table.js';

/**
 * Writes `<dir>/<name>.json`: `context` (the machine, the times, the load), the tables as Markdown, the notes
 * and the data, and answers the file's path. A scenario that was not run (`output.skipped`) writes nothing and
 * answers undefined, so an earlier result of it stays.
 */
export async function writeResult(dir: string, name: string, context: Readonly<Record<string, unknown>>, output: ScenarioOutput): Promise<string | undefined> {
  if (output.skipped !== undefined) return undefined;
  const file = join(dir, `${name}.json`);
  const tables = output.tables.map(({ title, table }) => ({ title, markdown: renderMarkdown(table) }));
  await writeFile(file, `${JSON.stringify({ ...context, tables, notes: output.notes, data: output.data }, null, 2)}\n`);
  return file;
}
