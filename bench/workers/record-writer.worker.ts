// The record benchmark's writer: attaches the heap and writes a 5-field record into a shared cell,
// so that the main thread reads a record another worker wrote.
import { parentPort, workerData } from 'node:worker_threads';
import { Heap, type HeapHandle, type SharedCell, type SharedRef } from '../../src/index.js';

const { heap: handle, cell: ref } = workerData as { heap: HeapHandle; cell: SharedRef };
const heap = Heap.attach(handle);
heap
  .open<SharedCell<object>>(ref)
  .set({ id: 42, price: 19.99, quantity: 3, discount: 0.1, stock: 1000 });
heap.close();
parentPort?.postMessage('written');
