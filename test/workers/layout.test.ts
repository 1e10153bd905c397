// The workers layer's shared-memory layouts (pool-layout.ts, task-ring.ts) and the inline payload
// codec (payload-codec.ts), without workers: regions aligned and disjoint, and every value the
// codec takes read back equal (property test), the ones it does not take refused, not garbled.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodePayload, doesNotFit, encodePayload } from '../../src/workers/payload-codec.js';
import { PoolLayout, recordBytes, recordField } from '../../src/workers/pool-layout.js';
import { slotBytes, TaskHands, taskRingBytes, TaskRing } from '../../src/workers/task-ring.js';
import { propertyRuns } from '../support/random.js';

test('pool layout: header, call ring, done rings and records are aligned and disjoint', () => {
  for (const [records, workers] of [
    [1, 1],
    [7, 3],
    [4096, 2],
    [1024, 255],
  ] as const) {
    const layout = new PoolLayout(records, workers);
    const regions: [string, number, number][] = [
      ['header', 0, layout.queueWord * 4],
      ['queue', layout.queueWord * 4, (layout.queueWord + records) * 4],
    ];
    for (let w = 0; w < workers; w += 1) {
      const from = layout.doneTailWord(w) * 4;
      regions.push([`done ${String(w)}`, from, from + (1 + records) * 4]);
    }
    regions.push(['records', layout.recordsByte, layout.totalBytes]);
    regions.sort((a, b) => a[1] - b[1]);
    for (let i = 1; i < regions.length; i += 1) {
      const previous = regions[i - 1];
      const current = regions[i];
      assert.ok(previous !== undefined && current !== undefined);
      assert.ok(previous[2] <= current[1], `${previous[0]} overlaps ${current[0]}`);
    }
    assert.equal(layout.recordsByte % 8, 0);
    assert.equal(recordBytes % 8, 0);
    assert.equal(recordField.startedAt % 8, 0);
    assert.equal(layout.recordByte(records - 1) + recordBytes, layout.totalBytes);
  }
});

test('task ring: slots are 8-byte aligned; push and take keep order; a full ring refuses', () => {
  assert.equal(slotBytes % 8, 0);
  const slots = 1024;
  const ring = new TaskRing(new SharedArrayBuffer(taskRingBytes(slots)), slots);
  ring.format();
  const payload = new Uint8Array(slotBytes - 8);
  const view = new DataView(payload.buffer);
  let pushed = 0;
  for (;;) {
    view.setUint32(0, pushed, true);
    if (!ring.push(payload)) break;
    pushed += 1;
  }
  assert.equal(pushed, slots);
  const seen: number[] = [];
  while (ring.take(64, 2, (at) => seen.push(ring.view.getUint32(at, true))) > 0);
  assert.deepEqual(
    seen,
    Array.from({ length: slots }, (_, i) => i),
  );
  assert.equal(ring.hasReady(), false);
});

test('task hands: one area per worker, disjoint, payloads inside the buffer', () => {
  const workers = 3;
  const batchMax = 4;
  const buffer = new SharedArrayBuffer(TaskHands.bytesFor(workers, batchMax));
  const hands = new TaskHands(buffer, batchMax);
  for (let worker = 0; worker < workers; worker += 1) {
    const last = hands.taskByte(worker, batchMax - 1) + (slotBytes - 8);
    assert.ok(last <= buffer.byteLength);
    if (worker + 1 < workers) assert.ok(last <= hands.taskByte(worker + 1, 0) - 16);
    hands.hold(worker, 3, worker === 1);
    hands.running(worker, 0);
    assert.deepEqual(hands.waiting(worker), { from: 1, to: 3, keyed: worker === 1 });
    assert.deepEqual(hands.waiting(worker), { from: 1, to: 0, keyed: worker === 1 });
  }
});

const plainValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(undefined, null, true, false),
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    fc.double(),
    fc.string({ maxLength: 20 }),
    fc.bigInt(),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), {
      maxKeys: 4,
      noNullPrototype: true,
    }),
  ),
})).value;

test('payload codec: what fits reads back equal; what does not fit is refused', () => {
  const bytes = new Uint8Array(512);
  const view = new DataView(bytes.buffer);
  const noRefs = () => assert.fail('no references in these values');
  fc.assert(
    fc.property(plainValue, fc.integer({ min: 1, max: 512 }), (value, end) => {
      const next = encodePayload(view, 0, end, value);
      if (next === doesNotFit) return;
      assert.ok(next <= end);
      assert.deepEqual(decodePayload(view, 0, noRefs, noRefs), value);
    }),
    propertyRuns(300),
  );
  for (const refused of [
    new Date(),
    new Map(),
    () => 1,
    Symbol('s'),
    new (class Point {
      x = 1;
    })(),
  ]) {
    assert.equal(encodePayload(view, 0, 512, refused), doesNotFit);
  }
  assert.ok(
    Object.is(decodePayload(view, encodePayload(view, 0, 512, -0) - 9, noRefs, noRefs), -0),
  );
});
