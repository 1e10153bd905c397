/**
 * Every kind of shared object a heap context knows: the objects layer's (cells) and this layer's
 * (maps, objects with fields and their shapes). The api layer makes each worker's context with this registry (objects/kinds.ts).
 */
import { objectKinds } from '../objects/index.js';
import { shapeKind } from './object-shape.js';
import { objectKind } from './shared-fields.js';
import { mapKind } from './shared-map.js';

export const collectionKinds = objectKinds.with(mapKind, objectKind, shapeKind);
