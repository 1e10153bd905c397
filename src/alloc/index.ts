/** alloc/: the size-class allocator, block headers, handles and their validation. */
export { abandonSuperblocksOf, Allocator, formatAllocatorRegions } from './allocator.js';
export {
  BlockTag,
  blockHeaderBytes,
  currentHandleAt,
  handleGeneration,
  handleOf,
  handleUnit,
  headerGeneration,
  headerTag,
  isHandleShaped,
  unitBytes,
} from './block-header.js';
export {
  allocatorUsage,
  forEachLiveBlock,
  liveBlockCensus,
  type AllocatorUsage,
  type CensusEntry,
} from './usage.js';
export { classBytes, smallBlockBytesMax } from './size-classes.js';
export { SuperblockBitmap } from './page-map.js';
