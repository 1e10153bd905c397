/** stm/: shared cells (transactions come with the STM issue) and the per-worker heap context. */
export { HeapContext, ReferenceDied, type SharedOpener } from './context.js';
export { SharedCell, createCell } from './cell.js';
