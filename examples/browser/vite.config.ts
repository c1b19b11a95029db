/**
 * `npx vite examples/browser` serves this example with hot reload and forwards `/ws` to a server on port
 * 8080 (`npm start`). In this repository the package is not installed, so `tickertape/client` is pointed at
 * the source; an app that has installed tickertape needs no alias.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: { alias: { 'tickertape/client': fileURLToPath(new URL('../../client/index.ts', import.meta.url)) } },
  server: { proxy: { '/ws': { target: 'ws://127.0.0.1:8080', ws: true } } },
  build: { target: 'es2022' },
});
