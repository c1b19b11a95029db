import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

/** The guide's code is the examples' code: what the tests run is what people read. */
describe('docs/client.md', () => {
  test('quotes examples/node/quickstart.ts verbatim', async () => {
    const guide = await readFile(join(REPO_ROOT, 'docs/client.md'), 'utf8');
    const quickstart = await readFile(join(REPO_ROOT, 'examples/node/quickstart.ts'), 'utf8');
    expect(guide).toContain(`\`\`\`ts\n${quickstart}\`\`\``);
  });

  test('every relative link points at a file or folder that exists', async () => {
    for (const doc of ['docs/client.md', 'docs/protocol.md', 'examples/README.md']) {
      const text = await readFile(join(REPO_ROOT, doc), 'utf8');
      for (const [, target] of text.matchAll(/\]\(((?:\.\.?\/)[^)#\s]+)[^)]*\)/g)) {
        await expect(stat(join(REPO_ROOT, doc, '..', target!)).then(() => true), `${doc} → ${target}`).resolves.toBe(true);
      }
    }
  });
});
