/**
 * A number naming the current thread within this process, recorded in the worker registry so that
 * `heap.watch(worker)` can find the slots of a worker that exited.
 *
 * Node: `worker_threads.threadId` (0 on the main thread), read through `process.getBuiltinModule`
 * so that this file imports nothing Node-specific and the core still loads in browsers, Deno and
 * Bun. Elsewhere: a random positive number (no watch is possible there; stalled or dead workers are
 * then handled by neutralisation only). `process.getBuiltinModule` arrived in Node 20.16 and 22.3,
 * which is why package.json's `engines` starts there: an older Node would take the fallback, and
 * `heap.watch` would then recover nothing, without an error.
 */

interface NodeProcessLike {
  getBuiltinModule?: (id: string) => { threadId?: unknown } | undefined;
}

let cached: number | undefined;

export function currentThreadId(): number {
  if (cached !== undefined) return cached;
  const nodeProcess = (globalThis as { process?: NodeProcessLike }).process;
  const threadId = nodeProcess?.getBuiltinModule?.('node:worker_threads')?.threadId;
  cached =
    typeof threadId === 'number' ? threadId : 2 ** 30 + Math.floor(Math.random() * (2 ** 30 - 1));
  return cached;
}
