/**
 * The micro-benchmark's browser cases (issue 6: "decode in the browser client"): the client library's
 * decoders timed inside headless Chromium on the same update frames the Node cases use. The page module
 * (page.ts) is bundled with Vite for the browser, as the dashboard is, and loaded into a blank page.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Rollup } from 'vite';
import { CHROMIUM_PATH, launchChromium } from '../../test/browser/harness.js';
import type { DecodeResults } from './page.js';

export type { DecodeResults, DecodeTiming } from './page.js';

/** How long each decoder runs unmeasured, then measured, per case. */
export interface DecodeTimes {
  readonly warmupMs: number;
  readonly measureMs: number;
}

const DEFAULT_TIMES: DecodeTimes = { warmupMs: 500, measureMs: 2_000 };

/** The page module as one ES module for the browser. `repoRoot`: the checkout (the bench runs compiled elsewhere). */
async function bundlePage(repoRoot: string): Promise<string> {
  const output = await build({
    configFile: false,
    root: repoRoot,
    logLevel: 'warn',
    build: {
      write: false,
      minify: true,
      lib: { entry: join(repoRoot, 'bench', 'browser-decode', 'page.ts'), formats: ['es'], fileName: 'decode-bench' },
    },
  });
  const outputs = (Array.isArray(output) ? output : [output]) as Rollup.RollupOutput[];
  for (const result of outputs) {
    for (const chunk of result.output) if (chunk.type === 'chunk' && chunk.isEntry) return chunk.code;
  }
  throw new Error('vite built no entry chunk for the browser decode page');
}

/**
 * Times decoding `frames` (binary payloads) and `texts` (the same frames as JSON text) in Chromium. Says why
 * instead when there is no Chromium here (the Node cases still run).
 */
export async function decodeInChromium(
  repoRoot: string,
  frames: readonly Uint8Array[],
  texts: readonly string[],
  times: DecodeTimes = DEFAULT_TIMES,
): Promise<{ results: DecodeResults } | { skipped: string }> {
  if (!existsSync(CHROMIUM_PATH)) return { skipped: `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium): the browser decode cases were not run` };
  const code = await bundlePage(repoRoot);
  const browser = await launchChromium({ width: 800, height: 600 });
  try {
    const page = await browser.context.newPage();
    await page.goto('about:blank');
    await page.addScriptTag({ content: code, type: 'module' });
    await page.waitForFunction(() => window.decodeBench !== undefined);
    const base64 = frames.map((frame) => Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString('base64'));
    const results = await page.evaluate(
      ([binary, text, warmupMs, measureMs]) => window.decodeBench!(binary, text, warmupMs, measureMs),
      [base64, texts, times.warmupMs, times.measureMs] as const,
    );
    return { results };
  } finally {
    await browser.close();
  }
}
