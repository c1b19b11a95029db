/**
 * The real captures in ../shared/data the fake exchanges play back. When the folder is absent the live tests
 * that need it are skipped, and say so plainly.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { REPO_ROOT } from '../helpers/cli.js';

export const SHARED_DATA = join(REPO_ROOT, '..', 'shared', 'data');
export const BINANCE_CAPTURE = join(SHARED_DATA, 'binance-spot-ethusdt-20240808.capture.gz');
export const COINBASE_CAPTURE = join(SHARED_DATA, 'coinbase-10-products.capture.txt');

export const capturesPresent = existsSync(BINANCE_CAPTURE) && existsSync(COINBASE_CAPTURE);
if (!capturesPresent) {
  console.warn(`\n*** ${SHARED_DATA} (the real Binance and Coinbase captures) is absent: the live-feed tests that play them are SKIPPED. ***\n`);
}

/** The capture's lines, gunzipped when needed. */
export function captureLines(file: string): string[] {
  const bytes = readFileSync(file);
  return (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8').split('\n').filter((line) => line.trim() !== '');
}
