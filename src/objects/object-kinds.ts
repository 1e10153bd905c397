/**
 * The kinds of shared objects this layer defines, as one registry (kinds.ts). Layers above add
 * theirs with `objectKinds.with(...)` and hand the result to the heap context they make.
 */
import { cellKind } from './cell.js';
import type { HeapContext } from './context.js';
import { SharedKinds } from './kinds.js';

export const objectKinds = new SharedKinds<HeapContext>([cellKind]);
