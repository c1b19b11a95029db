/**
 * The cluster scenario's market: the simulator the `tickertape` command runs (no synthetic symbols), 60
 * symbols. Apart from ../cluster.ts so that bench/main.ts can check --per-client against it without loading
 * the scenario.
 */
import { createSimulator } from '../../feeds/simulator/index.js';

export const CLUSTER_SYMBOLS: readonly string[] = createSimulator().instruments.map((instrument) => instrument.symbol);
