import { parentPort, workerData } from 'node:worker_threads';
import { runHttpLoad } from './http-load';
import type { LoadOptions } from './load-types';
import { runStartLoad } from './start-load';

/** Thread body: generates the load off the benchmark's main thread and posts the result back. */
const options = workerData as LoadOptions;
const run = options.kind === 'http' ? runHttpLoad(options) : runStartLoad(options);
run.then(
  (result) => parentPort?.postMessage({ result }),
  (error: unknown) =>
    parentPort?.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
);
