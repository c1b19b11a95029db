/**
 * The micro-benchmark's browser cases (bench/browser-decode/): the page bundled with Vite runs the client
 * library's decoders inside Chromium on frames made here, and really decodes them. It checks the harness,
 * never how fast decoding is.
 */
import { describe, expect, test } from 'vitest';
import { decodeInChromium } from '../../bench/browser-decode/run.js';
import { encodeBinary, encodeText } from '../../client/protocol/codec.js';
import type { UpdateMessage } from '../../client/protocol/messages.js';
import { REPO_ROOT } from '../browser/harness.js';

function frame(seq: number, entries: number): UpdateMessage {
  const updates = Array.from({ length: entries }, (_, i) => ({ s: `SYM${i}`, p: 100 + i / 100, t: 1_764_000_000_000 + seq }));
  return { type: 'update', seq, time: 1_764_000_000_000 + seq, updates };
}

describe('the browser decode micro-benchmark', () => {
  test('times both decoders in Chromium on the frames it is given, and decodes them', { timeout: 60_000 }, async () => {
    const messages = [frame(1, 36), frame(2, 30)];
    const outcome = await decodeInChromium(REPO_ROOT, messages.map(encodeBinary), messages.map(encodeText), { warmupMs: 20, measureMs: 100 });
    if ('skipped' in outcome) throw new Error(outcome.skipped);
    const { binary, text, firstFrameUpdates, userAgent } = outcome.results;
    expect(firstFrameUpdates).toEqual({ binary: 36, text: 36 });
    for (const timing of [binary, text]) {
      expect(timing.samples).toBeGreaterThan(0);
      expect(timing.medianUs).toBeGreaterThan(0);
      expect(timing.perSample).toBeGreaterThan(0);
    }
    expect(userAgent).toMatch(/Chrome\//);
  });
});
