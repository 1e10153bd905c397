// Starts real worker threads from .ts files and collects the one result each posts. A worker that
// throws, exits without a result or exits non-zero fails the test with its index in the message.
import { Worker } from 'node:worker_threads';

export async function runWorkers<Result>(
  script: URL,
  workerData: readonly unknown[],
): Promise<Result[]> {
  return Promise.all(
    workerData.map(
      (data, index) =>
        new Promise<Result>((resolve, reject) => {
          const worker = new Worker(script, { workerData: data });
          let result: { value: Result } | undefined;
          worker.on('message', (message: Result) => {
            result = { value: message };
          });
          worker.on('error', (error) => {
            reject(new Error(`worker ${String(index)} failed: ${String(error)}`, { cause: error }));
          });
          worker.on('exit', (code) => {
            if (code === 0 && result !== undefined) resolve(result.value);
            else
              reject(new Error(`worker ${String(index)} exited with ${String(code)}, no result`));
          });
        }),
    ),
  );
}
