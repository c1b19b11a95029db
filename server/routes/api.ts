import type { FastifyInstance } from 'fastify';
import type { Instrument } from '../../feeds/tick.js';

interface SymbolsQuery {
  q?: string;
  limit?: number;
}

/** JSON over HTTP: the symbol directory. */
export async function apiRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: SymbolsQuery }>(
    '/api/symbols',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            q: { type: 'string', maxLength: 64 },
            limit: { type: 'integer', minimum: 1, maximum: 10_000 },
          },
        },
      },
    },
    async (request) => {
      const { q, limit } = request.query;
      let instruments: Instrument[] = app.market.instruments();
      if (q !== undefined && q !== '') {
        const needle = q.toLowerCase();
        instruments = instruments.filter(
          (instrument) => instrument.symbol.toLowerCase().includes(needle) || instrument.name.toLowerCase().includes(needle),
        );
      }
      return { symbols: limit === undefined ? instruments : instruments.slice(0, limit) };
    },
  );
}
