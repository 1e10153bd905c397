/**
 * values/: the one codec between JavaScript values and shared memory — slot words, immutable
 * string / bigint / snapshot blocks, and references to shared objects.
 */
export { ValueCodec, type ValueCodecOptions } from './value-codec.js';
export { SharedObject, sharedObjectBrand, type SharedRef } from './shared-object.js';
export { stringHash } from './string-block.js';
export {
  holeWord,
  Immediate,
  intentPayload,
  intentWord,
  isIntentWord,
  numberOfWord,
  numberWord,
  SlotTag,
} from './slot-word.js';
