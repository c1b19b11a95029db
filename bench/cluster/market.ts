/**
 * The cluster scenario's market: the simulator the `tickertape` command runs (no synthetic symbols), its 60
 * symbols. Apart from ../cluster.ts so that bench/main.ts can check --per-client against it without loading
 * the scenario.
 */
import { UNIVERSE } from '../../feeds/simulator/index.js';

export const CLUSTER_SYMBOLS: readonly string[] = UNIVERSE.map((instrument) => instrument.symbol);
