import { Heap, atomically } from '../../src/index.js';
const heap = Heap.create({ maxBytes: 16 << 20 });
const ch = heap.channel<number>({ capacity: 1 });
try {
  atomically(() => {
    console.log(ch.closed, ch.length);
    ch.receive();
  });
} catch (e) {
  console.log(String(e));
}
