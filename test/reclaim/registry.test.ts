// The worker registry's thread ids: `heap.watch` recovers an exited worker from the slots that
// name its thread, so a slot must never name a thread that no longer holds it — not even in the
// moment between a new claimer's CAS and its storing its own id.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeapMemory } from '../../src/memory/index.js';
import { slotField, WorkerRegistry } from '../../src/reclaim/registry.js';

test('a released slot, claimed again, never names its previous thread', () => {
  const memory = HeapMemory.create(4 << 20);
  const registry = new WorkerRegistry(memory);
  const slot = registry.claim();
  const exitedThread = 777;
  // As if a worker on thread 777 held it (the claim stored this thread's own id).
  Atomics.store(memory.i32, registry.word(slot.index, slotField.threadId), exitedThread);
  assert.deepEqual(
    registry.slotsOfThread(exitedThread).map((found) => found.index),
    [slot.index],
  );
  registry.release(slot);
  // The next claimer's first step only: its CAS of the state, before it stores its thread id.
  const stateWord = registry.word(slot.index, slotField.state);
  const free = Atomics.load(memory.i32, stateWord);
  const claimed = (((free >>> 2) + 1) << 2) | 1;
  assert.equal(Atomics.compareExchange(memory.i32, stateWord, free, claimed), free);
  assert.deepEqual(registry.slotsOfThread(exitedThread), []);
});
