import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * Flag values that start with a dash. node:util's parseArgs refuses `--ticks -5` as ambiguous (the value
 * might be a forgotten one's next option) and asks for `--ticks=-5`, so a negative number got parseArgs'
 * message and the whole usage text instead of the flag's own range message. No tickertape option is a dash
 * followed by a digit, so such a word after an option that takes a value is that option's value.
 */

/** A word that reads as a negative number, not an option: `-5`, `-0.5`, `-.5`, `-1e3`. */
const NEGATIVE_NUMBER = /^-\.?\d/;

type OptionKinds = Readonly<Record<string, { readonly type: 'string' | 'boolean' }>>;

/**
 * `args` with each long option that takes a value (`type: 'string'` in `options`) and is followed by a
 * negative number joined to it, `--ticks -5` → `--ticks=-5`, for parseArgs. Nothing after `--` is touched.
 */
export function joinNegativeValues(args: readonly string[], options: OptionKinds): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      joined.push(...args.slice(i));
      break;
    }
    const next = args[i + 1];
    const name = arg.slice(2);
    if (next !== undefined && NEGATIVE_NUMBER.test(next) && arg.startsWith('--') && Object.hasOwn(options, name) && options[name]!.type === 'string') {
      joined.push(`${arg}=${next}`);
      i++;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

/**
 * node:util's parseArgs over `args` with negative values joined to their options (joinNegativeValues): every
 * command parses its flags through this, so none answers `--speed -1` with parseArgs' advice and its usage.
 */
export function parseFlags<T extends Omit<ParseArgsConfig, 'args'>>(args: readonly string[], config: T): ReturnType<typeof parseArgs<T>> {
  return parseArgs<T>({ ...config, args: joinNegativeValues(args, config.options ?? {}) });
}
