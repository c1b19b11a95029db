import type { FastifyBaseLogger } from 'fastify';

const nothing = (): void => {};

/**
 * A logger that writes nothing, for the server's parts run outside a server: the benchmarks, which time them,
 * and tests of a part on its own.
 */
export const SILENT_LOGGER: FastifyBaseLogger = {
  level: 'silent',
  fatal: nothing,
  error: nothing,
  warn: nothing,
  info: nothing,
  debug: nothing,
  trace: nothing,
  silent: nothing,
  child: () => SILENT_LOGGER,
};
