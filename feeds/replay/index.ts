/** File replay: recorded market data as a Feed, with controls. See docs/feeds.md. */
export { openReplay, instrumentsFrom, type ReplayFeed } from './feed.js';
export { ReplayPlayer, type ReplayHost, type ReplayPhase } from './player.js';
export { ReplayError, REPLAY_ERROR_CODES, type ReplayErrorCode } from './errors.js';
export {
  DEFAULT_REPLAY_SPEED,
  MAX_OUT_OF_ORDER_MS,
  MAX_REPLAY_FILES,
  MAX_REPLAY_SPEED,
  MIN_REPLAY_SPEED,
  SPEED_RULE,
  isReplaySpeed,
  parseSpeed,
  parseTimeOption,
  resolveReplayOptions,
  type ReplayOptions,
  type ReplaySpeed,
  type ResolvedReplayOptions,
} from './options.js';
export { FORMATS, FORMAT_NAMES, isFormatName, type FormatName } from './formats/index.js';
export { MAX_LINE_BYTES } from './line-reader.js';
export { formatSummary, formatDuration, replayStats, type ReplayStats } from './summary.js';
