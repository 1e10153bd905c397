/**
 * Every kind of shared object a heap context knows: the objects layer's (cells) and this layer's
 * (maps, sets, counters, arrays, objects with fields and their shapes). The api layer makes each
 * worker's context with this registry (objects/kinds.ts).
 */
import { objectKinds } from '../objects/index.js';
import { shapeKind } from './object-shape.js';
import { arrayKind } from './shared-array.js';
import { counterKind } from './shared-counter.js';
import { objectKind } from './shared-fields.js';
import { mapKind } from './shared-map.js';
import { setKind } from './shared-set.js';

export const collectionKinds = objectKinds.with(
  mapKind,
  setKind,
  counterKind,
  arrayKind,
  objectKind,
  shapeKind,
);
