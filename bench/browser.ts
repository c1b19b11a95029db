/** Placeholder replaced below. */
export async function runBrowser(_options: { minutes: number }): Promise<{ tables: []; data: unknown; notes: string[] }> {
  return { tables: [], data: {}, notes: ['not yet'] };
}
