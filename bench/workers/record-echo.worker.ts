// Baseline of the record benchmark: the record lives in this worker as a JS object; the main thread
// gets it by a postMessage round trip (request, structured-clone reply).
import { parentPort } from 'node:worker_threads';

const record = { id: 42, price: 19.99, quantity: 3, discount: 0.1, stock: 1000 };
parentPort?.on('message', () => {
  parentPort?.postMessage(record);
});
