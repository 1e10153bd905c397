// Worker of the plain postMessage pool (the baseline of workers.bench.ts): one message per call,
// one reply per call.
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', (message: { id: number; a: number; b: number }) => {
  parentPort?.postMessage({ id: message.id, value: message.a + message.b });
});
