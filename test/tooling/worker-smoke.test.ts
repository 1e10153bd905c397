// Smoke test for the test tooling: the runner loads TypeScript, and a worker_threads Worker
// started from a .ts file inherits the tsx loader and shares memory with the test.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { EchoWorkerData } from './echo.worker.js';

const incrementCount = 1000;

test('a .ts worker increments a shared counter with Atomics', async () => {
  const buffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const data: EchoWorkerData = { buffer, increments: incrementCount };
  const worker = new Worker(new URL('./echo.worker.ts', import.meta.url), { workerData: data });
  const [message] = (await once(worker, 'message')) as [unknown];
  const [exitCode] = (await once(worker, 'exit')) as [number];
  assert.equal(message, 'done');
  assert.equal(exitCode, 0);
  assert.equal(Atomics.load(new Int32Array(buffer), 0), incrementCount);
});
