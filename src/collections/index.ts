/**
 * collections/: shared mutable collections built on transactional words (DESIGN.md §7).
 * `SharedMap` (shared-map.ts, blocks laid out in map-layout.ts) and `SharedArray` (shared-array.ts,
 * array-layout.ts).
 */
export { collectionKinds } from './collection-kinds.js';
export { arrayKind, createArray, SharedArray } from './shared-array.js';
export { createMap, mapKind, SharedMap } from './shared-map.js';
