/** Resolves once `probe()` is true, checking every few ms; rejects after `timeoutMs` naming `what`. */
export async function waitFor(probe: () => boolean, what: string, timeoutMs = 5_000, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
