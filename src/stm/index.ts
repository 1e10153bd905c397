/** stm/: shared cells, transactions (atomically, retry, orElse, inevitable) and the heap context. */
export { HeapContext, ReferenceDied, type SharedOpener, type TxLimits } from './context.js';
export { SharedCell, createCell } from './cell.js';
export {
  atomically,
  atomicallyAsync,
  atomicallyAsyncOn,
  atomicallyOn,
  inevitable,
  orElse,
  retry,
} from './atomically.js';
export { readStats, type TxStats, type WorkerTxStats } from './stats-reader.js';
export type { AbortKind, ConflictEvent } from './stats.js';
