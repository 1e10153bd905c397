// SharedChannel in one thread: every flavor's semantics (FIFO, capacity, close, timeouts, try*),
// bad input, transactions (a send published at commit, a receive undone by an abort, a receive on
// empty retrying), shared objects travelling by reference, freeing with queued values, the
// closed heap, `select` (fairness, timeout, closed cases) and the layout's offsets.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import {
  atomically,
  ClosedError,
  Heap,
  LimitExceededError,
  NotShareableError,
  orElse,
  select,
  selectAsync,
  type SharedChannel,
  type SharedMap,
} from '../../src/index.js';
import {
  channelFixedBytes,
  channelPayloadBytes,
  closedWord,
  headSegmentWord,
  headWord,
  receiversBlockedIndex,
  receiversWaitingIndex,
  ringSlotWord,
  segmentNextWord,
  segmentPayloadBytes,
  segmentSlots,
  segmentSlotWord,
  sendersBlockedIndex,
  sendersWaitingIndex,
  sentEventsIndex,
  tailSegmentWord,
  tailWord,
  takenEventsIndex,
  capacityIndex,
} from '../../src/channels/channel-layout.js';
import { twordUnits } from '../../src/stm/index.js';

const drain = <T>(channel: SharedChannel<T>): T[] => {
  const items: T[] = [];
  for (let got = channel.tryReceive(); got !== undefined; got = channel.tryReceive()) {
    items.push(got.value);
  }
  return items;
};

describe('SharedChannel layout', () => {
  it('fields do not overlap, groups are a cache line apart, the ring ends the block', () => {
    const unit = 1000;
    const byte = (wordIndex: number): number => (wordIndex - unit) * 8;
    const i32Byte = (index: number): number => index * 4 - unit * 8;
    const tword = (word: (at: number) => number): [number, number] => [byte(word(unit)), 32];
    const plain = (index: (at: number) => number): [number, number] => [i32Byte(index(unit)), 4];
    const groups: [number, number][][] = [
      [tword(headWord), tword(headSegmentWord), plain(takenEventsIndex)],
      [tword(tailWord), tword(tailSegmentWord), plain(sentEventsIndex)],
      [
        tword(closedWord),
        plain(capacityIndex),
        plain(receiversWaitingIndex),
        plain(sendersWaitingIndex),
        plain(receiversBlockedIndex),
        plain(sendersBlockedIndex),
      ],
      [[byte(ringSlotWord(unit, 0)), 32]],
    ];
    const fields = groups.flat().sort((a, b) => a[0] - b[0]);
    assert.equal(fields[0]?.[0], 8, 'the first field follows the header');
    for (let index = 1; index < fields.length; index += 1) {
      const [previousStart, previousSize] = fields[index - 1] ?? [0, 0];
      assert.ok(
        (fields[index]?.[0] ?? 0) >= previousStart + previousSize,
        `overlap at ${String(index)}`,
      );
    }
    for (let group = 1; group < groups.length; group += 1) {
      const end = Math.max(...(groups[group - 1] ?? []).map(([start, size]) => start + size));
      const start = Math.min(...(groups[group] ?? []).map(([first]) => first));
      assert.ok(start - end >= 64, `group ${String(group)} is ${String(start - end)} bytes away`);
    }
    assert.equal(byte(ringSlotWord(unit, 0)), 8 + channelFixedBytes);
    assert.equal(channelPayloadBytes(3), channelFixedBytes + 3 * twordUnits * 8);
    assert.equal(ringSlotWord(unit, 2) - ringSlotWord(unit, 1), twordUnits);
    assert.equal(segmentSlotWord(unit, segmentSlots - 1) + twordUnits, segmentNextWord(unit));
    assert.equal(segmentNextWord(unit) + twordUnits, unit + 1 + segmentPayloadBytes / 8);
    assert.ok(8 + segmentPayloadBytes <= 1024, 'a segment fits the 1 KiB class');
  });
});

describe('SharedChannel semantics', () => {
  it('unbounded: FIFO across segments, length, close drains then ends', () => {
    const heap = Heap.create({ maxBytes: 16 << 20 });
    const channel = heap.channel<number | string>();
    assert.equal(channel.capacity, -1);
    const count = 5 * segmentSlots + 7;
    for (let n = 0; n < count; n += 1) channel.send(n % 2 === 0 ? n : `item ${String(n)}`);
    assert.equal(channel.length, count);
    assert.equal(channel.receive(), 0);
    assert.equal(channel.receive(), 'item 1');
    channel.close();
    assert.equal(channel.closed, true);
    assert.throws(() => {
      channel.send(1);
    }, ClosedError);
    assert.throws(() => channel.trySend(1), ClosedError);
    const rest = [...channel];
    assert.equal(rest.length, count - 2);
    assert.equal(rest.at(-1), (count - 1) % 2 === 0 ? count - 1 : `item ${String(count - 1)}`);
    assert.throws(() => channel.receive(), /closed and drained/);
    assert.equal(channel.tryReceive(), undefined);
    assert.throws(() => {
      channel.close();
    }, /already closed/);
    assert.equal(inspect(channel), 'SharedChannel({"capacity":-1,"length":0,"closed":true})');
    heap.close();
  });

  it('bounded: full means trySend false and sendTimeout false, the channel unchanged', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const channel = heap.channel<number>({ capacity: 3 });
    for (let round = 0; round < 5; round += 1) {
      for (let n = 0; n < 3; n += 1) assert.equal(channel.trySend(round * 10 + n), true);
      assert.equal(channel.trySend(99), false);
      assert.equal(channel.sendTimeout(99, 2), false);
      assert.equal(channel.length, 3);
      assert.deepEqual(drain(channel), [round * 10, round * 10 + 1, round * 10 + 2]);
    }
    assert.equal(channel.receiveTimeout(2), undefined);
    channel.close();
    assert.throws(() => channel.receiveTimeout(2), ClosedError);
    heap.close();
  });

  it('rendezvous: no receiver, no send; the item is taken back on timeout', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const channel = heap.channel<string>({ capacity: 0 });
    assert.equal(channel.capacity, 0);
    assert.equal(channel.trySend('a'), false);
    assert.equal(channel.sendTimeout('a', 3), false);
    assert.equal(channel.length, 0);
    assert.equal(channel.tryReceive(), undefined);
    // Inside a transaction the item cannot wait for its receiver: it is placed at commit.
    atomically(() => {
      channel.send('b');
    });
    assert.equal(channel.receive(), 'b');
    heap.close();
  });

  it('bad input: typed errors, nothing changed', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    for (const capacity of [-1, 1.5, Number.NaN, '4' as unknown as number]) {
      assert.throws(() => heap.channel({ capacity }), RangeError, String(capacity));
    }
    assert.throws(() => heap.channel({ capacity: 2 ** 30 }), LimitExceededError);
    const channel = heap.channel<unknown>({ capacity: 2 });
    channel.send('kept');
    const before = heap.memoryUsage().usedBytes;
    assert.throws(() => {
      channel.send(() => 1);
    }, NotShareableError);
    assert.throws(() => channel.trySend({ deep: [Symbol('x')] }), NotShareableError);
    assert.throws(() => channel.receiveTimeout(-1), RangeError);
    assert.equal(channel.length, 1);
    assert.equal(heap.memoryUsage().usedBytes, before);
    assert.throws(() => select([]), TypeError);
    assert.throws(() => select([{ send: heap.channel({ capacity: 0 }), value: 1 }]), TypeError);
    assert.equal(channel.receive(), 'kept');
    heap.close();
  });

  it('a closed heap: every method throws ClosedError', async () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const channel = heap.channel<number>();
    heap.close();
    assert.throws(() => {
      channel.send(1);
    }, ClosedError);
    assert.throws(() => channel.receive(), ClosedError);
    assert.throws(() => channel.tryReceive(), ClosedError);
    assert.throws(() => channel.length, ClosedError);
    assert.throws(() => {
      channel.close();
    }, ClosedError);
    await assert.rejects(channel.receiveAsync(), ClosedError);
    await assert.rejects(channel.sendAsync(1), ClosedError);
    assert.throws(() => heap.channel(), ClosedError);
  });
});

describe('SharedChannel in transactions', () => {
  it('a send is published at commit; an aborted one never happened', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const channel = heap.channel<number>({ capacity: 4 });
    atomically(() => {
      channel.send(1);
      channel.send(2);
      assert.equal(channel.length, 2, 'the transaction sees its own sends');
    });
    assert.throws(() => {
      atomically(() => {
        channel.send(3);
        throw new Error('undo');
      });
    }, /undo/);
    assert.deepEqual(drain(channel), [1, 2]);
    heap.close();
  });

  it('an aborted receive puts the item back; receive on empty retries (orElse takes over)', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const channel = heap.channel<string>();
    channel.send('first');
    channel.send('second');
    assert.throws(() => {
      atomically(() => {
        assert.equal(channel.receive(), 'first');
        throw new Error('undo');
      });
    }, /undo/);
    assert.equal(channel.length, 2);
    const both = atomically(() => [channel.receive(), channel.receive()]);
    assert.deepEqual(both, ['first', 'second']);
    assert.equal(
      orElse(
        () => channel.receive(),
        () => 'empty',
      ),
      'empty',
    );
    channel.close();
    assert.throws(() => atomically(() => channel.receive()), ClosedError);
    heap.close();
  });
});

describe('SharedChannel values', () => {
  it('a shared object travels by reference and stays alive while queued', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const channel = heap.channel<SharedMap<string, number>>();
    const map = heap.map([['a', 1]]);
    const ref = map.ref;
    channel.send(map);
    map[Symbol.dispose]();
    heap.reclaim();
    const received = channel.receive();
    assert.equal(received.ref.handle, ref.handle);
    received.set('b', 2);
    assert.equal(received.get('b'), 2);
    heap.close();
  });

  it('a dropped channel frees its blocks, its queued values and the objects only it held', () => {
    const heap = Heap.create({ maxBytes: 16 << 20 });
    heap.reclaim();
    const before = heap.memoryUsage().usedBytes;
    const objectsBefore = heap.leakReport().objects;
    for (const capacity of [undefined, 64, 0]) {
      const channel = heap.channel<unknown>(capacity === undefined ? {} : { capacity });
      const items = capacity === 0 ? 0 : 60;
      for (let n = 0; n < items; n += 1) channel.send({ text: `value ${String(n)}`.repeat(4) });
      if (capacity !== 0) {
        const map = heap.map([['k', 'v']]);
        channel.send(map);
        map[Symbol.dispose]();
      }
      assert.ok(heap.leakReport().objects > objectsBefore);
      channel[Symbol.dispose]();
      heap.reclaim();
      heap.reclaim();
      assert.equal(heap.leakReport().objects, objectsBefore, `capacity ${String(capacity)}`);
    }
    const after = heap.memoryUsage().usedBytes;
    assert.ok(after <= before, `used ${String(after)} after, ${String(before)} before`);
    heap.close();
  });
});

describe('select', () => {
  it('is fair between ready channels, times out, and reports closed ones', async () => {
    const heap = Heap.create({ maxBytes: 16 << 20 });
    const a = heap.channel<number>();
    const b = heap.channel<number>();
    const rounds = 1000;
    for (let n = 0; n < rounds; n += 1) {
      a.send(n);
      b.send(n);
    }
    const wins = [0, 0];
    const next = [0, 0];
    for (let n = 0; n < rounds; n += 1) {
      const selected = select([{ receive: a }, { receive: b }]);
      assert.ok(selected !== undefined && !selected.closed);
      assert.equal(selected.value, next[selected.index], 'each channel in order');
      next[selected.index] = (next[selected.index] ?? 0) + 1;
      wins[selected.index] = (wins[selected.index] ?? 0) + 1;
    }
    // Each case wins with probability 1/2 per round: fewer than 35 % is ~13 sigmas away.
    for (const won of wins) assert.ok(won > rounds * 0.35, `wins ${String(wins)}`);
    drain(a);
    drain(b);
    assert.equal(select([{ receive: a }, { receive: b }], { timeoutMs: 3 }), undefined);
    assert.equal(await selectAsync([{ receive: a }], { timeoutMs: 3 }), undefined);
    const bounded = heap.channel<number>({ capacity: 1 });
    bounded.send(0);
    assert.deepEqual(
      select([
        { send: bounded, value: 1 },
        { send: a, value: 7 },
      ]),
      {
        index: 1,
        closed: false,
      },
    );
    b.close();
    assert.deepEqual(select([{ receive: b }], { timeoutMs: 0 }), { index: 0, closed: true });
    assert.deepEqual(await selectAsync([{ receive: a }]), { index: 0, value: 7, closed: false });
    assert.equal(
      atomically(() => select([{ receive: a }], { timeoutMs: 0 })),
      undefined,
      'inside a transaction timeoutMs 0 polls',
    );
    heap.close();
  });
});
