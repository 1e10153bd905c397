/**
 * collections/: shared mutable collections built on transactional words (DESIGN.md §7).
 * `SharedMap` and `SharedSet` (shared-map.ts, shared-set.ts) over one hash table (hash-table.ts),
 * whose blocks are laid out in map-layout.ts; `SharedArray` (shared-array.ts, array-layout.ts);
 * `SharedCounter` (shared-counter.ts).
 */
export { collectionKinds } from './collection-kinds.js';
export { arrayKind, createArray, SharedArray } from './shared-array.js';
export { createMap, mapKind, SharedMap } from './shared-map.js';
export { createSet, setKind, SharedSet } from './shared-set.js';
export { counterKind, createCounter, SharedCounter } from './shared-counter.js';
export { type RegistrableClass } from './object-shape.js';
export { createObject, objectKind, registerClass, type SharedFields } from './shared-fields.js';
export { sharedFrom, type Shared } from './from.js';
