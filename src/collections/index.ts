/**
 * collections/: shared mutable collections built on transactional words (DESIGN.md §7).
 * `SharedMap` and `SharedSet` (shared-map.ts, shared-set.ts) over one hash table (hash-table.ts),
 * whose blocks are laid out in map-layout.ts.
 */
export { collectionKinds } from './collection-kinds.js';
export { createMap, mapKind, SharedMap } from './shared-map.js';
export { createSet, setKind, SharedSet } from './shared-set.js';
export { counterKind, createCounter, SharedCounter } from './shared-counter.js';
