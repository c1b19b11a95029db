/** What the capture formats share: one JSON message from a line, through an exchange normalizer, onto `out`. */
import { invalid, type Normalized } from '../../exchanges/normalized.js';
import type { Tick } from '../../tick.js';
import type { LineProblem } from './format.js';

const BAD_JSON = invalid('bad JSON');

export function normalizedMessage(json: string, normalize: (message: unknown) => Normalized, out: Tick[]): LineProblem | undefined {
  let message: unknown;
  try {
    message = JSON.parse(json);
  } catch {
    return BAD_JSON;
  }
  const normalized = normalize(message);
  if (normalized.kind !== 'ticks') return normalized;
  for (const tick of normalized.ticks) out.push(tick);
  return undefined;
}
