/** Flag handling shared by the commands that take some of `serve`'s flags (replay, record). */
import { ConfigError, SERVE_OPTIONS } from '../server/config.js';
import { parseFlags } from '../server/flag-values.js';

/** Every flag of `serve` but those named (and `--help`, which each command has its own of). */
export function serveFlagsExcept(excluded: readonly string[]): string[] {
  return Object.keys(SERVE_OPTIONS).filter((flag) => flag !== 'help' && !excluded.includes(flag));
}

type StringOption = { readonly type: 'string' };
type BooleanOption = { readonly type: 'boolean'; readonly short?: string };
type Options = Record<string, StringOption | BooleanOption>;

export interface CommandArgs {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: string[];
  /** The `serve` flags given, as arguments for parseServeArgs. */
  readonly serveArgs: string[];
}

/**
 * Parses a command's own flags plus the `serve` flags it accepts (`serveFlags`); the latter come back as
 * arguments for parseServeArgs, which validates them exactly as `serve` does. Unknown flags are an error.
 */
export function parseCommandArgs(args: readonly string[], own: Options, serveFlags: readonly string[], usage: string, positionals: boolean): CommandArgs {
  const options: Options = { ...own, help: { type: 'boolean', short: 'h' } };
  const serveOptions: Readonly<Record<string, StringOption | BooleanOption>> = SERVE_OPTIONS;
  for (const flag of serveFlags) options[flag] = serveOptions[flag]!;
  let parsed;
  try {
    parsed = parseFlags(args, { options, strict: true, allowPositionals: positionals });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n\n${usage}`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const serveArgs: string[] = [];
  for (const flag of serveFlags) {
    const value: unknown = values[flag];
    if (typeof value === 'string') serveArgs.push(`--${flag}`, value);
    // A repeatable flag (--feed) comes back as a list: each one is passed on.
    else if (Array.isArray(value)) for (const item of value) serveArgs.push(`--${flag}`, String(item));
  }
  return { values, positionals: parsed.positionals, serveArgs };
}
