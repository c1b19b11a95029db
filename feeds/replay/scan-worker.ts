/** The worker thread of scan.ts: scans the files it is given and posts the replay's end time. */
import { parentPort, workerData } from 'node:worker_threads';
import { scanEnd, type ScanOptions } from './scan.js';

parentPort!.postMessage(await scanEnd(workerData as ScanOptions));
