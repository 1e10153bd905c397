/**
 * shared-objects: shared mutable objects for JavaScript workers, in SharedArrayBuffer memory.
 * This file decides what is public; nothing else is reachable through the package's exports.
 */
export {
  Heap,
  type AttachOptions,
  type HeapHandle,
  type HeapOptions,
  type LeakReport,
  type MemoryUsage,
  type MemoryUsageOptions,
  type RetiredByWorker,
  type WatchableWorker,
  TransactionQueue,
  WorkerPool,
} from './api/index.js';
export {
  CallTimeoutError,
  WorkerExitedError,
  type PoolStats,
  type TaskKey,
  type TaskQueueView,
  type TransactionQueueOptions,
  type TransactionQueueProgress,
  type TransactionQueueResult,
  type WorkerPoolOptions,
} from './workers/index.js';
export type { TaskContext } from './api/index.js';
export type { SharedObject, SharedRef } from './values/index.js';
export type { SharedCell } from './objects/index.js';
export type {
  RegistrableClass,
  Shared,
  SharedArray,
  SharedCounter,
  SharedFields,
  SharedMap,
  SharedSet,
} from './collections/index.js';
export type {
  ChannelOptions,
  SelectCase,
  Selected,
  SelectOptions,
  SharedChannel,
} from './channels/index.js';
export { select, selectAsync } from './channels/index.js';
export type { AbortKind, ConflictEvent, TxStats, WordPlace, WorkerTxStats } from './stm/index.js';
export { atomically, atomicallyAsync, inevitable, orElse, retry } from './stm/index.js';
export {
  ClosedError,
  HeapExhaustedError,
  HeapLayoutError,
  LimitExceededError,
  NotShareableError,
  StaleHandleError,
  TransactionStateError,
  type ErrorCode,
  type TransactionStateCode,
} from './base/index.js';
