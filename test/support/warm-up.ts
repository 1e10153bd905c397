// Memory tests measure what a collection holds against a baseline taken before it existed. A
// worker's transaction log keeps the largest size any of its transactions needed
// (stm/tx-record.ts), and a map's growth steps write more words than most transactions: grow one
// throwaway map first, so that the baseline already includes the log at that size.
import type { Heap } from '../../src/index.js';

export function warmUpMapGrowth(heap: Heap): void {
  const map = heap.map<number, number>();
  for (let index = 0; index < 4096; index += 1) map.set(index, index);
  map[Symbol.dispose]();
  heap.reclaim();
  heap.reclaim();
}
