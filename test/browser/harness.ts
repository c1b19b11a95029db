/** What the browser tests share: building the dashboard, serving it, and a Chromium that is never downloaded. */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext } from 'playwright-core';
import { build } from 'vite';
import type { Feed } from '../../feeds/tick.js';
import { buildApp } from '../../server/app.js';
import { defineConfig } from '../../server/config.js';
import { REPO_ROOT } from '../helpers/cli.js';

export { REPO_ROOT };

export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Builds the dashboard into a fresh temporary folder; returns the folder. `repoRoot`: the checkout, for
 * callers compiled elsewhere (the benchmark runs from .tmp/bench-build).
 */
export async function buildDashboard(repoRoot = REPO_ROOT): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'tickertape-web-'));
  await build({
    configFile: join(repoRoot, 'vite.config.ts'),
    root: join(repoRoot, 'web'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly port: number;
  readonly origin: string;
}

/** The real server on 127.0.0.1, on `port` (0: a free one), serving the built dashboard (if any). */
export async function startServer(webRoot: string | undefined, options: { port?: number; feed?: Feed } = {}): Promise<RunningServer> {
  const app = await buildApp({
    config: defineConfig({ port: options.port ?? 0, webRoot }),
    ...(options.feed === undefined ? {} : { feed: options.feed }),
    logger: false,
  });
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the server has no TCP address');
  return { app, port: address.port, origin: `http://127.0.0.1:${address.port}` };
}

export interface Chromium {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Debian's Chromium, headless, with a fresh profile in a temporary folder. Playwright refuses
 * `--user-data-dir` among launch() arguments, so the profile is given the way it accepts:
 * launchPersistentContext(profile).
 */
export async function launchChromium(viewport: { width: number; height: number }): Promise<Chromium> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install it with "apt-get install -y chromium" (tests never download a browser)`);
  }
  const profile = await mkdtemp(join(tmpdir(), 'tickertape-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
