/**
 * stm/: transactional words (tword.ts) and transactions over them — atomically, retry, orElse,
 * inevitable, commute, commit and abort actions — with the engine that runs them, its records in
 * shared memory, conflict resolution and the recovery of a dead worker's transaction. It knows
 * nothing of the objects that hold the words (objects/).
 */
export {
  atomically,
  atomicallyAsync,
  atomicallyAsyncOn,
  atomicallyOn,
  engineClosed,
  engineOpened,
  inevitable,
  orElse,
  retry,
  transactionEngine,
} from './atomically.js';
export { TxEngine, type EngineHost } from './engine.js';
export type { TxRecorder } from './recorder.js';
export { readStats, type TxStats, type WorkerTxStats } from './stats-reader.js';
export type { AbortKind, ConflictEvent, WordPlace } from './stats.js';
export { recordField, TxRecords } from './tx-record.js';
export {
  initTword,
  twordBytes,
  twordOwner,
  twordSpare,
  twordUnits,
  twordValue,
  twordVersion,
  twordWatchers,
} from './tword.js';
