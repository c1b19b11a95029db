/** What /readyz and /metrics learn from a cluster role (server/routes/health.ts). */
export interface ClusterReadiness {
  readonly ready: boolean;
  /** Why not, in a few words, or `ready`. */
  readonly status: string;
  /** Facts for operators, added to the /readyz body. */
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface ClusterStatus {
  readiness(): ClusterReadiness;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by the ingest and gateway roles only: their Redis link and how far they are synchronised. */
    cluster: ClusterStatus;
  }
}
