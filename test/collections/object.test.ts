// Shared objects with fields (heap.object) in one worker: property syntax in and out of
// transactions, sealing, every storable value, JSON and inspection, aborts, registered classes
// (methods, instanceof, a worker that did not register the class), lifetime. The random sequences
// print their seed on failure; SEED=<n> reruns one.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  atomically,
  Heap,
  NotShareableError,
  orElse,
  retry,
  StaleHandleError,
  type SharedCell,
} from '../../src/index.js';
import { Account } from './account.js';
import { propertyRuns } from '../support/random.js';

/** A shared object seen as a bag of properties, to assign fields the type does not have. */
const loose = (value: object): Record<string, unknown> => value as Record<string, unknown>;

/** Frees what can be freed: twice, so that blocks retired by the first pass go too. */
function usedAfterReclaim(heap: Heap): number {
  heap.reclaim();
  heap.reclaim();
  return heap.memoryUsage().usedBytes;
}

describe('heap.object: fields with property syntax', () => {
  it('reads and writes fields in and out of transactions; the fields are its own keys, in order', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const point = heap.object({ x: 1, y: 2, label: 'p' });
    assert.deepEqual(Object.keys(point), ['x', 'y', 'label']);
    assert.equal(point.x, 1);
    point.x = 10;
    point.y += 5;
    assert.deepEqual([point.x, point.y], [10, 7]);
    const sum = atomically(() => {
      point.x += 1;
      point.label = 'moved';
      return point.x + point.y;
    });
    assert.equal(sum, 18);
    // Spreading copies the fields' values: they are own enumerable properties.
    // eslint-disable-next-line @typescript-eslint/no-misused-spread
    assert.deepEqual({ ...point }, { x: 11, y: 7, label: 'moved' });
    assert.deepEqual(Object.entries(point), [
      ['x', 11],
      ['y', 7],
      ['label', 'moved'],
    ]);
    assert.equal('x' in point, true);
    assert.equal(Object.hasOwn(point, 'label'), true);
    heap.close();
  });

  it('is sealed: an unknown field or a delete throws a TypeError and changes nothing', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const point = heap.object({ x: 1, y: 2 });
    assert.equal(Object.isSealed(point), true);
    assert.equal(Object.isExtensible(point), false);
    assert.throws(() => {
      loose(point)['z'] = 3;
    }, TypeError);
    assert.throws(() => {
      delete (point as Partial<typeof point>).x;
    }, TypeError);
    assert.throws(() => {
      Object.defineProperty(point, 'x', { value: 5 });
    }, TypeError);
    assert.throws(() => {
      atomically(() => {
        point.x = 100;
        loose(point)['z'] = 3;
      });
    }, TypeError);
    assert.deepEqual(point.toJSON(), { x: 1, y: 2 });
    assert.equal('z' in point, false);
    heap.close();
  });

  it('refuses reserved field names and non-objects', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    for (const name of ['ref', 'handle', 'heapId', 'tag', 'toJSON']) {
      assert.throws(() => heap.object({ [name]: 1 }), TypeError, name);
    }
    assert.throws(() => heap.object(JSON.parse('{"__proto__": 1}') as object), TypeError);
    assert.throws(() => heap.object(null as unknown as object), TypeError);
    assert.throws(() => heap.object(5 as unknown as object), TypeError);
    assert.throws(() => heap.object([1, 2]), /not a registered class/);
    assert.throws(() => heap.object(new Map()), /not a registered class/);
    const point = heap.object({ x: 1 });
    assert.throws(() => heap.object(point), /a shared object already/);
    const empty = heap.object({});
    assert.deepEqual(empty.toJSON(), {});
    assert.deepEqual(Object.keys(empty), []);
    heap.close();
  });

  it('holds every storable value; shared objects by reference', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const cell = heap.cell('in a cell');
    const map = heap.map([['k', 1]]);
    const inner = heap.object({ deep: true });
    const values: unknown[] = [
      0,
      -0,
      NaN,
      1.5,
      -Infinity,
      true,
      false,
      null,
      undefined,
      '',
      'a string ✓ with \u{1F600}',
      12345678901234567890n,
      -1n,
      [1, 'two', [3]],
      { nested: { list: [1, 2] } },
      cell,
      map,
      inner,
    ];
    const holder = heap.object<{ value: unknown }>({ value: undefined });
    for (const value of values) {
      holder.value = value;
      const read = holder.value;
      if (typeof value === 'object' && value !== null) {
        if (value === cell || value === map || value === inner) assert.equal(read, value);
        else {
          assert.deepEqual(read, value);
          assert.ok(Object.isFrozen(read), 'snapshots come back frozen');
        }
      } else {
        assert.ok(Object.is(read, value), String(value));
      }
    }
    holder.value = inner;
    (holder.value as typeof inner).deep = false;
    assert.equal(inner.deep, false, 'a reference, not a copy');
    const made = heap.object({ a: 1n, b: [cell], c: 'x' });
    assert.equal(made.a, 1n);
    assert.equal(made.b[0]?.get(), 'in a cell');
    heap.close();
  });

  it('refuses values that cannot be stored, naming the field; nothing allocated', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const point = heap.object({ x: 1, label: 'a' });
    heap.object({ fn: 'warm the shape', label: 'x' })[Symbol.dispose]();
    const before = usedAfterReclaim(heap);
    assert.throws(
      () => heap.object({ fn: () => 1, label: 'a long string that would need a block' }),
      (error: unknown) => error instanceof NotShareableError && error.path === 'fields.fn',
    );
    assert.throws(
      () => {
        loose(point)['label'] = { nested: [Symbol('no')] };
      },
      (error: unknown) =>
        error instanceof NotShareableError && error.path.startsWith('object.label'),
    );
    assert.equal(point.label, 'a');
    assert.equal(usedAfterReclaim(heap), before);
    heap.close();
  });

  it('JSON.stringify, util.inspect and the string tag show the fields', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const inner = heap.object({ n: 1 });
    const outer = heap.object({ name: 'outer', inner, list: [1, 2] });
    assert.equal(JSON.stringify(outer), '{"name":"outer","inner":{"n":1},"list":[1,2]}');
    assert.equal(
      inspect(outer),
      "SharedObject { name: 'outer', inner: SharedObject { n: 1 }, list: [ 1, 2 ] }",
    );
    assert.equal(Object.prototype.toString.call(outer), '[object SharedObject]');
    outer[Symbol.dispose]();
    assert.equal(inspect(outer), 'SharedObject <closed>');
    assert.throws(() => outer.name, StaleHandleError);
    heap.close();
    assert.equal(inspect(inner), 'SharedObject <closed>');
  });

  it('an aborted transaction leaves the fields and usedBytes as they were', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const record = heap.object({ name: 'first', count: 1, tags: ['a'] });
    const before = usedAfterReclaim(heap);
    assert.throws(() => {
      atomically(() => {
        record.name = 'a longer name that needs a string block';
        record.count += 1;
        record.tags = ['b', 'c', 'a snapshot'];
        throw new Error('abort');
      });
    }, /abort/);
    const chosen = orElse(
      () => {
        record.count = 99;
        record.name = 'branch one';
        return retry();
      },
      () => record.count,
    );
    assert.equal(chosen, 1);
    assert.deepEqual(record.toJSON(), { name: 'first', count: 1, tags: ['a'] });
    assert.equal(usedAfterReclaim(heap), before);
    heap.close();
  });

  it('random field writes, reads, transactions and aborts match a plain object', () => {
    const field = fc.constantFrom('a', 'b', 'c');
    const value = fc.oneof(fc.integer(), fc.string({ maxLength: 12 }), fc.constant(null));
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), field, value }),
      fc.record({ kind: fc.constant('get' as const), field }),
      fc.record({
        kind: fc.constant('tx' as const),
        writes: fc.array(fc.tuple(field, value), { maxLength: 4 }),
        abort: fc.boolean(),
      }),
    );
    const heap = Heap.create({ maxBytes: 32 << 20 });
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 40 }), (operations) => {
        const model: Record<string, unknown> = { a: 0, b: '', c: null };
        const shared = heap.object({ ...model });
        for (const op of operations) {
          if (op.kind === 'set') {
            loose(shared)[op.field] = op.value;
            model[op.field] = op.value;
          } else if (op.kind === 'get') {
            assert.equal(loose(shared)[op.field], model[op.field]);
          } else {
            try {
              atomically(() => {
                for (const [name, written] of op.writes) {
                  loose(shared)[name] = written;
                }
                if (op.abort) throw new Error('abort');
              });
              for (const [name, written] of op.writes) model[name] = written;
            } catch (error) {
              if (!(error instanceof Error) || error.message !== 'abort') throw error;
            }
          }
        }
        assert.deepEqual(shared.toJSON(), model);
        shared[Symbol.dispose]();
      }),
      propertyRuns(150),
    );
    heap.close();
  });
});

describe('heap.object: registered classes', () => {
  it('an instance of a registered class keeps its methods, instanceof and name', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    heap.registerClass(Account);
    const alice = heap.object(new Account('alice', 100));
    const bob = heap.object(new Account('bob', 0));
    assert.ok(alice instanceof Account);
    assert.deepEqual(Object.keys(alice), ['owner', 'balance']);
    alice.deposit(5);
    assert.equal(alice.balance, 105);
    assert.equal(alice.transfer(bob, 100), true);
    assert.equal(alice.transfer(bob, 100), false, 'short: nothing moves');
    assert.deepEqual([alice.balance, bob.balance], [5, 100]);
    assert.equal(inspect(bob), "SharedObject<Account> { owner: 'bob', balance: 100 }");
    assert.equal(Object.prototype.toString.call(bob), '[object Account]');
    assert.equal(JSON.stringify(bob), '{"owner":"bob","balance":100}');
    const map = heap.map([['alice', alice]]);
    assert.equal(map.get('alice'), alice, 'the same wrapper while it lives');
    const reopened = heap.open<Account>(alice.ref);
    assert.equal(reopened, alice);
    assert.throws(() => {
      heap.registerClass(
        class Account {
          readonly other = true;
        },
      );
    }, /taken by another class/);
    assert.throws(() => {
      heap.registerClass(Account, 'Other');
    }, /registered already/);
    heap.registerClass(Account);
    heap.close();
  });

  it('refuses an instance of a class that is not registered', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    assert.throws(() => heap.object(new Account('x', 1)), /Account is not a registered class/);
    class Derived extends Account {}
    heap.registerClass(Account);
    assert.throws(() => heap.object(new Derived('x', 1)), /Derived is not a registered class/);
    heap.close();
  });

  it('a class toJSON and private fields: its own toJSON wins; #fields are not shared', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    class Temperature {
      celsius = 20;
      #secret = 1;
      toJSON(): string {
        return `${String(this.celsius)} °C`;
      }
      secret(): number {
        return this.#secret;
      }
    }
    heap.registerClass(Temperature, 'Temperature');
    const shared = heap.object(new Temperature());
    assert.equal(JSON.stringify(shared), '"20 °C"');
    assert.deepEqual(Object.keys(shared), ['celsius']);
    assert.throws(() => shared.secret(), TypeError);
    heap.close();
  });

  it('a worker that did not register the class gets plain field access; it registers, then reopens', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    heap.registerClass(Account);
    const alice = heap.object(new Account('alice', 7));
    const other = Heap.attach(heap.handle);
    const plain = other.open<Record<string, unknown>>(alice.ref);
    assert.equal(plain instanceof Account, false);
    assert.equal(plain['balance'], 7);
    assert.equal(plain['deposit'], undefined);
    assert.equal(Object.prototype.toString.call(plain), '[object Account]');
    assert.equal(
      inspect(plain),
      "SharedObject<Account, unregistered> { owner: 'alice', balance: 7 }",
    );
    plain['balance'] = 8;
    assert.equal(alice.balance, 8);
    (plain as unknown as Disposable)[Symbol.dispose]();
    other.registerClass(Account);
    const registered = other.open<Account>(alice.ref);
    assert.ok(registered instanceof Account);
    registered.deposit(2);
    assert.equal(alice.balance, 10);
    other.close();
    heap.close();
  });
});

describe('heap.object: lifetime', () => {
  it('replaced values are retired; a dropped object is freed with what it holds', () => {
    const heap = Heap.create({ maxBytes: 16 << 20 });
    heap.registerClass(Account);
    // Shapes are kept by their creator for reuse: make each shape once before measuring.
    heap.object({ name: '', inner: null, list: [] as unknown[] })[Symbol.dispose]();
    heap.object(new Account('', 0))[Symbol.dispose]();
    heap.object({ n: 0 })[Symbol.dispose]();
    const before = usedAfterReclaim(heap);
    for (let round = 0; round < 50; round += 1) {
      const inner = heap.object({ n: round });
      const account = heap.object(new Account(`owner ${String(round)}`, round));
      const record = heap.object<{ name: string; inner: unknown; list: unknown[] }>({
        name: 'start',
        inner: null,
        list: [],
      });
      for (let step = 0; step < 10; step += 1) {
        record.name = `name number ${String(step)} of round ${String(round)}`;
        record.list = [step, `item ${String(step)}`, account];
      }
      record.inner = inner;
      const map = heap.map([['record', record]]);
      for (const wrapper of [inner, account, record]) wrapper[Symbol.dispose]();
      map[Symbol.dispose]();
    }
    assert.ok(usedAfterReclaim(heap) <= before, 'everything the objects held is freed');
    heap.close();
  });

  it('a shape goes with the last object of it once its creator lets it go (heap.close)', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const holder = heap.cell<unknown>(null);
    const before = usedAfterReclaim(heap);
    const other = Heap.attach(heap.handle);
    const made = other.object({ only: 'in other' });
    other.open<SharedCell<unknown>>(holder.ref).set(made);
    other.close(); // its pins go: the object's wrapper, and the shape its cache kept
    const kept = holder.get() as { only: string } & Disposable;
    assert.equal(kept.only, 'in other');
    kept[Symbol.dispose]();
    holder.set(null);
    assert.ok(usedAfterReclaim(heap) <= before);
    heap.close();
  });
});
