/** The simulated market feed: `createSimulator(options)` and what its callers may want to name. */
export { createSimulator, type PacedTickIterator, type Simulator } from './simulator.js';
export {
  DEFAULT_BATCH_INTERVAL_MS,
  DEFAULT_SEED,
  DEFAULT_TICKS_PER_SECOND,
  MAX_TICKS_PER_SECOND,
  type ResolvedSimulatorOptions,
  type SimulatorOptions,
} from './options.js';
export { MAX_SYNTHETIC_SYMBOLS, syntheticInstruments, UNIVERSE, type SimulatedInstrument, type SizeModel } from './universe.js';
