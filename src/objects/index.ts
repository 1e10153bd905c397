/**
 * objects/: shared objects — what holds transactional words in blocks of the heap — and their
 * lifetime: the per-worker heap context, reference counts, wrapper pins (mirrored in shared
 * memory for recovery), the wrapper table, and the cell.
 */
export {
  defaultTxLimits,
  HeapContext,
  ReferenceDied,
  type SharedOpener,
  type TxLimits,
} from './context.js';
export { createCell, SharedCell } from './cell.js';
