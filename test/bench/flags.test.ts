/**
 * The benchmark's flags that would run a scenario that cannot work, or do nothing, are refused before anything
 * starts (bench/main.ts), with a message that says what to change. Nothing here runs a scenario.
 */
import { describe, expect, test } from 'vitest';
import { benchFlagRunner } from '../helpers/bench-cli.js';

const benchFlags = benchFlagRunner();

const USAGE_FOLLOWS = '\n\nUsage:';

describe('bench flags', () => {
  test('--per-client above the market\'s symbols is refused for the scenario that would draw them; at the market size it is accepted', { timeout: 60_000 }, async () => {
    const cases: [string[], string][] = [
      [['--symbols', '40'], "--per-client (50) is more than the 40 symbols of the default scenario's market"],
      [['--scenario', 'wide', '--per-client', '501'], "--per-client (501) is more than the 500 symbols of the wide scenario's market"],
      [['--scenario', 'micro,capacity', '--symbols', '10', '--per-client', '11'], "--per-client (11) is more than the 10 symbols of the capacity scenario's market"],
    ];
    for (const [args, message] of cases) {
      const refused = await benchFlags(args);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr, args.join(' ')).toMatch(new RegExp(`^bench: ${message.replace(/[()]/g, '\\$&')}: each client subscribes to that many different symbols; lower it or raise --symbols${USAGE_FOLLOWS}`));
    }
    // Equal is enough; scenarios that run their own market (micro, replay, browser) do not read the two.
    for (const args of [['--symbols', '50'], ['--scenario', 'idle', '--per-client', '500'], ['--scenario', 'micro,replay', '--symbols', '5']]) {
      const accepted = await benchFlags(args);
      expect(accepted.code, args.join(' ')).toBe(1);
      expect(accepted.stderr, args.join(' ')).toContain('ENOTDIR');
    }
  });

  test('numbers are plain decimal, as every tickertape command reads them: 0x10, 1e3 and an empty one are refused', { timeout: 60_000 }, async () => {
    const cases: [string[], string][] = [
      [['--runs', '0x2'], '--runs must be a whole number from 1 to 20, got "0x2"'],
      [['--clients', '1e3'], '--clients must be a whole number from 1 to 100000, got "1e3"'],
      [['--scenario', 'browser', '--minutes', ''], '--minutes must be a number from 0.01 to 120, got ""'],
    ];
    for (const [args, message] of cases) {
      const refused = await benchFlags(args);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr, args.join(' ')).toMatch(new RegExp(`^bench: ${message}${USAGE_FOLLOWS}`));
    }
  });

  test('--minutes, --trace and --rounds are refused without the scenario they belong to, and accepted with it or with all', { timeout: 60_000 }, async () => {
    const cases: [string[], string][] = [
      [['--minutes', '1'], '--minutes applies to the browser scenario only'],
      [['--scenario', 'default,wide', '--trace', 'trace.json'], '--trace applies to the browser scenario only'],
      [['--scenario', 'browser', '--rounds', '2'], '--rounds applies to the cluster scenario only'],
    ];
    for (const [args, message] of cases) {
      const refused = await benchFlags(args);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr, args.join(' ')).toMatch(new RegExp(`^bench: ${message}, which --scenario does not include${USAGE_FOLLOWS}`));
    }
    for (const args of [['--scenario', 'browser', '--minutes', '0.5'], ['--scenario', 'all', '--minutes', '1', '--rounds', '1'], ['--scenario', 'cluster,default', '--rounds', '2']]) {
      const accepted = await benchFlags(args);
      expect(accepted.code, args.join(' ')).toBe(1);
      expect(accepted.stderr, args.join(' ')).toContain('ENOTDIR');
    }
  });
});
