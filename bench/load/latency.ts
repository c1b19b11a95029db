/**
 * Latency histograms that merge across processes: HdrHistogram (3 significant digits) of microseconds,
 * shipped between processes as compressed base64.
 */
import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

/** Every histogram's shape, so that the recording ones (WebAssembly) and the merged ones (JavaScript) add up. */
const HISTOGRAM = { bitBucketSize: 32, autoResize: true, numberOfSignificantValueDigits: 3 } as const;

export function newHistogram(): Histogram {
  return hdr.build({ ...HISTOGRAM, useWebAssembly: false });
}

/**
 * A histogram for recording in a load generator, which records every symbol update it receives (over a
 * million a second in `wide`): the library's WebAssembly build records in about 22 ns, its JavaScript one
 * in about 117 (Math.pow per value); with the JavaScript one the generators spent a tenth of their CPU
 * here (perf), CPU the server under test then did not get.
 */
export async function newRecordingHistogram(): Promise<Histogram> {
  await hdr.initWebAssembly();
  return hdr.build({ ...HISTOGRAM, useWebAssembly: true });
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

/** One histogram holding every sample of the encoded ones. */
export function mergeHistograms(encoded: readonly string[]): Histogram {
  const total = newHistogram();
  for (const text of encoded) total.add(hdr.decodeFromCompressedBase64(text, 32, false));
  return total;
}

export interface LatencySummary {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export function summarize(histogram: Histogram): LatencySummary {
  const ms = (us: number): number => us / 1000;
  return {
    samples: histogram.totalCount,
    p50Ms: ms(histogram.getValueAtPercentile(50)),
    p99Ms: ms(histogram.getValueAtPercentile(99)),
    maxMs: ms(histogram.maxValue),
  };
}
