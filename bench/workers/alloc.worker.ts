// Alloc+free pairs over a window of live blocks, sizes 16 B – 4 KiB (log-uniform), with either
// this library's allocator on a shared heap or @thi.ng/malloc on a private ArrayBuffer.
import { MemPool } from '@thi.ng/malloc';
import { Allocator, BlockTag } from '../../src/alloc/index.js';
import type { Handle, WordIndex } from '../../src/base/index.js';
import { headerWord, HeapMemory } from '../../src/memory/index.js';
import { runTimedLoop, workerParams } from '../lib/worker-loop.js';

export interface AllocParams {
  readonly allocator: 'ours' | 'thi.ng';
  readonly heap: SharedArrayBuffer;
  readonly liveBlocks: number;
}

const { params: untyped, workerIndex } = workerParams();
const params = untyped as AllocParams;
const sizeCount = 4096;
let seed = 12345 + workerIndex;
const random = (): number => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 2 ** 32;
};
const sizes = Int32Array.from({ length: sizeCount }, () => Math.floor(16 * 256 ** random()));
const order = Int32Array.from({ length: sizeCount }, () =>
  Math.floor(random() * params.liveBlocks),
);

function makeOps(): { malloc: (bytes: number) => number; free: (block: number) => void } {
  if (params.allocator === 'thi.ng') {
    const pool = new MemPool({ size: 64 << 20 });
    return {
      malloc: (bytes) => pool.malloc(bytes),
      free: (block) => {
        pool.free(block);
      },
    };
  }
  const allocator = new Allocator(
    HeapMemory.attach(params.heap),
    workerIndex + 1,
    headerWord.superblockHighWater as WordIndex,
  );
  return {
    malloc: (bytes) => allocator.allocate(BlockTag.raw, bytes),
    free: (block) => {
      allocator.free(block as Handle);
    },
  };
}

const { malloc, free } = makeOps();
const live = new Float64Array(params.liveBlocks);
for (let i = 0; i < live.length; i += 1) live[i] = malloc(sizes[i % sizeCount] ?? 16);
let step = 0;
runTimedLoop(() => {
  for (let i = 0; i < 1024; i += 1) {
    step = (step + 1) % sizeCount;
    const at = order[step] ?? 0;
    free(live[at] ?? 0);
    live[at] = malloc(sizes[step] ?? 16);
  }
  return 1024;
});
