/**
 * Sleeping on a futex word. Workers (and Node's main thread) block in `Atomics.wait`; a browser's
 * main thread may not block, so there the same call spins until the word changes or the time is
 * up. Callers bound every sleep (STYLE.md §4) and recheck what they wait for afterwards.
 */

let blockingAllowed: boolean | undefined;

/** True if this thread may block in `Atomics.wait`. */
export function canBlock(): boolean {
  if (blockingAllowed === undefined) {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
      blockingAllowed = true;
    } catch {
      blockingAllowed = false;
    }
  }
  return blockingAllowed;
}

/**
 * Sleeps while `i32[index] === expected`, at most `timeoutMs`. Returns true if a notify woke this
 * thread: it then used up a wake-up meant for one of the word's sleepers, which a caller that does
 * not go on to take what it waited for must pass on (`Atomics.notify(i32, index, 1)`). A spinning
 * thread is never in the word's queue, so it returns false.
 */
export function sleepWhileEqual(
  i32: Int32Array,
  index: number,
  expected: number,
  timeoutMs: number,
): boolean {
  if (canBlock()) return Atomics.wait(i32, index, expected, timeoutMs) === 'ok';
  const deadline = performance.now() + timeoutMs;
  while (Atomics.load(i32, index) === expected && performance.now() < deadline) {
    // Spin: this thread must not block (a browser's main thread).
  }
  return false;
}

interface WaitAsyncResult {
  readonly async: boolean;
  readonly value: 'ok' | 'not-equal' | 'timed-out' | Promise<'ok' | 'timed-out'>;
}
type WaitAsync = (
  i32: Int32Array,
  index: number,
  expected: number,
  timeoutMs: number,
) => WaitAsyncResult;

/** `Atomics.waitAsync` where the runtime has it (Node ≥ 16, Chromium, Deno, Bun), else undefined. */
const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/** Polling step of the fallback for runtimes without `Atomics.waitAsync`. */
const pollStepMs = 1;

/**
 * `sleepWhileEqual` for a thread that must keep serving its event loop: the wait goes through
 * `Atomics.waitAsync`, so timers, I/O and other promises run meanwhile. Resolves to true if a
 * notify woke it (the same wake-up accounting as `sleepWhileEqual`). Without `waitAsync` it polls
 * the word on timers, never blocking.
 */
export async function sleepWhileEqualAsync(
  i32: Int32Array,
  index: number,
  expected: number,
  timeoutMs: number,
): Promise<boolean> {
  if (waitAsync !== undefined) {
    const result = waitAsync(i32, index, expected, timeoutMs);
    if (!result.async) return false;
    return (await result.value) === 'ok';
  }
  const deadline = performance.now() + timeoutMs;
  while (Atomics.load(i32, index) === expected && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, pollStepMs));
  }
  return false;
}
