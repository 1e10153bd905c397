/** memory/: the heap's one `SharedArrayBuffer`, its header and geometry, typed views. */
export { HeapMemory } from './heap-memory.js';
export {
  type HeapGeometry,
  cacheLineBytes,
  descriptorBytes,
  headerBytes,
  registrySlotBytes,
  txRecordBytes,
  geometryFor,
  geometryOf,
} from './layout.js';
export { headerWord, headerWord64, heapLayoutVersion, heapMagic } from './header.js';
