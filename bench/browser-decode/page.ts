/**
 * Runs in Chromium (bench/browser-decode/run.ts bundles it with Vite): times the client library's decoders
 * on update frames the benchmark made, with the browser's own JavaScript engine and its own build of
 * msgpackr (the browser entry, pure JavaScript, as the dashboard ships it).
 */
import { decodeBinary, decodeText } from '../../client/protocol/codec.js';
import { median } from '../report.js';

export interface DecodeTiming {
  /** Median time of one decode, from samples of `perSample` decodes each (the page's clock is coarse). */
  readonly medianUs: number;
  readonly meanUs: number;
  readonly samples: number;
  readonly perSample: number;
}

export interface DecodeResults {
  readonly binary: DecodeTiming;
  readonly text: DecodeTiming;
  /** Updates in the first frame as each decoder read it: what was timed really decoded the frames. */
  readonly firstFrameUpdates: { readonly binary: number; readonly text: number };
  readonly userAgent: string;
}

function updatesIn(message: unknown): number {
  const updates = (message as { updates?: unknown } | null)?.updates;
  return Array.isArray(updates) ? updates.length : -1;
}

function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Decodes the frames round-robin: `warmupMs` unmeasured, then samples until `measureMs` have passed. */
function time(decode: (index: number) => unknown, warmupMs: number, measureMs: number, perSample: number): DecodeTiming {
  let index = 0;
  const warmEnd = performance.now() + warmupMs;
  while (performance.now() < warmEnd) for (let i = 0; i < perSample; i++) decode(index++);
  const perDecodeUs: number[] = [];
  const end = performance.now() + measureMs;
  while (performance.now() < end) {
    const start = performance.now();
    for (let i = 0; i < perSample; i++) decode(index++);
    perDecodeUs.push(((performance.now() - start) * 1000) / perSample);
  }
  const meanUs = perDecodeUs.reduce((sum, us) => sum + us, 0) / perDecodeUs.length;
  return { medianUs: median(perDecodeUs), meanUs, samples: perDecodeUs.length, perSample };
}

declare global {
  interface Window {
    decodeBench?: (binaryFrames: readonly string[], texts: readonly string[], warmupMs: number, measureMs: number) => DecodeResults;
  }
}

window.decodeBench = (binaryFrames, texts, warmupMs, measureMs) => {
  const frames = binaryFrames.map(base64ToBytes);
  // Samples of a few ms each: the page's clock may be coarsened to 0.1 ms.
  const perSample = 500;
  return {
    binary: time((i) => decodeBinary(frames[i % frames.length]!), warmupMs, measureMs, perSample),
    text: time((i) => decodeText(texts[i % texts.length]!), warmupMs, measureMs, perSample),
    firstFrameUpdates: { binary: updatesIn(decodeBinary(frames[0]!)), text: updatesIn(decodeText(texts[0]!)) },
    userAgent: navigator.userAgent,
  };
};
