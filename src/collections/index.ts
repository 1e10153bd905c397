/**
 * collections/: shared mutable collections built on transactional words (DESIGN.md §7).
 * `SharedMap` (shared-map.ts) so far; its blocks are laid out in map-layout.ts.
 */
export { collectionKinds } from './collection-kinds.js';
export { createMap, mapKind, SharedMap } from './shared-map.js';
export { type RegistrableClass } from './object-shape.js';
export { createObject, objectKind, registerClass, type SharedFields } from './shared-fields.js';
