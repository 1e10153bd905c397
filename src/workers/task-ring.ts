/**
 * The task ring of a `TransactionQueue`: a bounded multi-producer multi-consumer queue of task
 * records in the queue's own `SharedArrayBuffer` — Dmitry Vyukov's bounded MPMC queue (a sequence
 * word per slot; producers and consumers each CAS one position counter), with batch claims: a
 * consumer takes every ready slot of a run of up to k with one CAS of the head. Producers are the
 * thread that runs the queue (the tasks added before `run`) and the workers (tasks added by a
 * committed task). A task record holds the task's name and arguments (payload-codec.ts).
 *
 * Header, in 32-bit words:
 *
 * | word | field       | atomic | written by             | invariant                              |
 * |------|-------------|--------|------------------------|----------------------------------------|
 * | 0    | head        | yes    | consumers (CAS)        | next position to consume               |
 * | 1    | tail        | yes    | producers (CAS)        | next position to fill; head ≤ tail     |
 * | 2    | outstanding | yes    | caller, workers (add)  | tasks of the run added, not yet done   |
 * | 3    | stop        | yes    | anyone                 | 0 → 1: the run ends (a task threw)     |
 * | 4    | sleepers    | yes    | workers                | workers inside Atomics.wait on wakeSeq |
 * | 5    | wakeSeq     | yes    | producers, enders      | grows after pushes, at the run's end   |
 * | 6    | executed    | yes    | workers (add)          | tasks executed this run (progress)     |
 * | 7    | (spare)     |        |                        |                                        |
 *
 * Then `slots` slots of `slotBytes`: word `seq` (atomic), a spare word, then the payload.
 * Slot s at position p (s = p mod slots) is free for the producer of p when seq = p, holds a
 * task for the consumer of p when seq = p + 1, and is released for position p + slots by
 * setting seq = p + slots. Positions and sequences are 32-bit and compared modulo 2^32.
 *
 * Words 2–6 are used in the queue's main ring only; a keyed ring (one per worker, for the tasks
 * routed to it) has the same layout and wakes its worker through the main ring's words.
 *
 * `outstanding` only reaches 0 when no task remains anywhere: a worker adds a committed task's
 * new tasks to it before it subtracts that task.
 */
import { taskPayloadBytes } from './limits.js';

export const ringWord = {
  head: 0,
  tail: 1,
  outstanding: 2,
  stop: 3,
  sleepers: 4,
  wakeSeq: 5,
  executed: 6,
} as const;
const headerBytes = 32;
const slotPayload = 8;
export const slotBytes = slotPayload + taskPayloadBytes;

/** Bytes of a ring of `slots` slots. */
export function taskRingBytes(slots: number): number {
  return headerBytes + slots * slotBytes;
}

export class TaskRing {
  readonly i32: Int32Array;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly slots: number;

  constructor(buffer: SharedArrayBuffer, slots: number) {
    this.i32 = new Int32Array(buffer);
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(buffer);
    this.slots = slots;
  }

  /** Sets every slot free for its first position (a new ring: head = tail = 0). */
  format(): void {
    for (let slot = 0; slot < this.slots; slot += 1) this.i32[this.#seqWord(slot)] = slot;
  }

  #seqWord(position: number): number {
    return (headerBytes + ((position >>> 0) % this.slots) * slotBytes) / 4;
  }

  /** The byte offset of the payload of the slot at `position`. */
  payloadByte(position: number): number {
    return headerBytes + ((position >>> 0) % this.slots) * slotBytes + slotPayload;
  }

  /**
   * Appends a task whose payload is `encoded` (a whole payload, `taskPayloadBytes`). Returns
   * false when the ring is full (nothing written). Does not wake sleeping consumers: the
   * producer calls `wake` once after a series of pushes (a notify costs a system call).
   */
  push(encoded: Uint8Array): boolean {
    const i32 = this.i32;
    for (;;) {
      const position = Atomics.load(i32, ringWord.tail);
      const seqWord = this.#seqWord(position);
      const seq = Atomics.load(i32, seqWord);
      const lag = (seq - position) | 0;
      if (lag < 0) return false;
      // Linearisation point of the push: the CAS that takes the position.
      if (
        lag === 0 &&
        Atomics.compareExchange(i32, ringWord.tail, position, position + 1) === position
      ) {
        this.bytes.set(encoded, this.payloadByte(position));
        // ORDERING: publishes the payload to the consumer of this position.
        Atomics.store(i32, seqWord, (position + 1) | 0);
        return true;
      }
    }
  }

  /**
   * Wakes up to `count` consumers asleep (after a series of pushes, here or in a keyed ring;
   * at the end of the run, all). ORDERING: a consumer raises `sleepers`, then reads `wakeSeq`,
   * then looks at the rings, then waits while `wakeSeq` is unchanged; a producer pushed before
   * this add and reads `sleepers` after it — so the consumer either sees the task, or sees
   * `wakeSeq` move, or is woken by the notify.
   */
  wake(count: number): void {
    Atomics.add(this.i32, ringWord.wakeSeq, 1);
    if (Atomics.load(this.i32, ringWord.sleepers) > 0) {
      Atomics.notify(this.i32, ringWord.wakeSeq, count);
    }
  }

  /** True when the slot at the head holds a task (a look before sleeping). */
  hasReady(): boolean {
    const position = Atomics.load(this.i32, ringWord.head);
    return Atomics.load(this.i32, this.#seqWord(position)) === ((position + 1) | 0);
  }

  /**
   * Claims up to `max` ready tasks from the head (a share: `ceil(ready / share)`), calls `read`
   * with each one's payload offset, in order, then frees their slots. Returns how many.
   */
  take(max: number, share: number, read: (payloadByte: number) => void): number {
    const i32 = this.i32;
    for (;;) {
      const position = Atomics.load(i32, ringWord.head);
      let ready = 0;
      // ORDERING: a slot's seq = position + 1 acquires its payload from its producer.
      while (
        ready < max &&
        Atomics.load(i32, this.#seqWord(position + ready)) === ((position + ready + 1) | 0)
      ) {
        ready += 1;
      }
      if (ready === 0) return 0;
      const count = Math.max(1, Math.ceil(ready / share));
      // Linearisation point of the claim.
      if (
        Atomics.compareExchange(i32, ringWord.head, position, (position + count) | 0) !== position
      ) {
        continue;
      }
      for (let i = 0; i < count; i += 1) {
        const at = (position + i) | 0;
        try {
          read(this.payloadByte(at));
        } finally {
          // ORDERING: frees the slot for the producer of position + slots, after the read.
          Atomics.store(i32, this.#seqWord(at), (at + this.slots) | 0);
        }
      }
      return count;
    }
  }
}

/**
 * The tasks in a worker's hand: a copy of the batch it claimed from a ring, so that if the worker
 * dies during a queue run, the thread that runs the queue can queue again the tasks it had not
 * started. One area per worker index, in one `SharedArrayBuffer`:
 *
 * | bytes | field   | atomic | written by  | meaning                                          |
 * |-------|---------|--------|-------------|--------------------------------------------------|
 * | 0     | count   | yes    | its worker  | tasks in the hand (0: none)                      |
 * | 4     | running | yes    | its worker  | index of the task it runs now; later ones wait   |
 * | 8     | keyed   | yes    | its worker  | 1 when the batch came from a keyed ring          |
 * | 12    | (spare) |        |             |                                                  |
 * | 16    | tasks   | no*    | its worker  | `count` payloads of `taskPayloadBytes`           |
 *
 * (*) published by the store of `count` after them; read only after the worker has exited.
 */
export class TaskHands {
  readonly i32: Int32Array;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly #stride: number;

  static bytesFor(workers: number, batchMax: number): number {
    return workers * (16 + batchMax * taskPayloadBytes);
  }

  constructor(buffer: SharedArrayBuffer, batchMax: number) {
    this.i32 = new Int32Array(buffer);
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(buffer);
    this.#stride = 16 + batchMax * taskPayloadBytes;
  }

  /** Byte offset of task `i` of worker `worker`'s hand. */
  taskByte(worker: number, i: number): number {
    return worker * this.#stride + 16 + i * taskPayloadBytes;
  }

  /** Copies the payload at `from` of `source` into slot `i` of the hand. */
  keep(worker: number, i: number, source: Uint8Array, from: number): void {
    this.bytes.set(source.subarray(from, from + taskPayloadBytes), this.taskByte(worker, i));
  }

  /** The hand holds `count` tasks from a keyed ring or not (0: empty). */
  hold(worker: number, count: number, keyed: boolean): void {
    const word = (worker * this.#stride) / 4;
    Atomics.store(this.i32, word + 2, keyed ? 1 : 0);
    Atomics.store(this.i32, word + 1, -1);
    // ORDERING: publishes the payloads and `keyed` to whoever reads the hand after an exit.
    Atomics.store(this.i32, word, count);
  }

  running(worker: number, i: number): void {
    Atomics.store(this.i32, (worker * this.#stride) / 4 + 1, i);
  }

  /** The tasks after the one running, and whether they came from a keyed ring; empties it. */
  waiting(worker: number): { from: number; to: number; keyed: boolean } {
    const word = (worker * this.#stride) / 4;
    const count = Atomics.load(this.i32, word);
    const running = Atomics.load(this.i32, word + 1);
    const keyed = Atomics.load(this.i32, word + 2) === 1;
    Atomics.store(this.i32, word, 0);
    return { from: Math.max(0, running + 1), to: count, keyed };
  }
}
