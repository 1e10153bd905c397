import { Heap } from '../src/index.js';
import { nsPerOp, blackhole } from './lib/measure.js';
const heap = Heap.create({ maxBytes: 64 << 20 });
const c = heap.cell(3.25);
const ctx = (c as unknown as Record<string, unknown>);
void ctx;
for (let k = 0; k < 3; k++) {
  console.log('get', nsPerOp((n) => { let s = 0; for (let i = 0; i < n; i++) s += c.get(); blackhole.value = s; }).toFixed(1),
   'set', nsPerOp((n) => { for (let i = 0; i < n; i++) c.set(i); }).toFixed(1));
}
