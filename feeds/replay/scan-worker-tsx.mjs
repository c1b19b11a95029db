// Starts scan-worker.ts from source (under tsx or vitest): a worker thread does not inherit the TypeScript
// loader, so it registers tsx's before importing the worker. Built code (dist/) runs scan-worker.js directly.
import { register } from 'tsx/esm/api';

register();
await import('./scan-worker.ts');
