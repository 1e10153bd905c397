/**
 * objects/: shared objects — what holds transactional words in blocks of the heap — and their
 * lifetime: the per-worker heap context, reference counts, wrapper pins (mirrored in shared
 * memory for recovery), the wrapper table, and the cell.
 */
export { defaultTxLimits, HeapContext, ReferenceDied, type TxLimits } from './context.js';
export { cellKind, createCell, SharedCell } from './cell.js';
export { SharedKinds, type SharedKind } from './kinds.js';
export { objectKinds } from './object-kinds.js';
export { decodeInTransaction, readOutside } from './read-value.js';
export { scanReachability, type ReachabilityReport } from './reachability.js';
