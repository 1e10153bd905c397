// The global-lock baseline: one spin-then-wait mutex (three states, futex style: free, locked,
// locked with sleepers) that every transaction of the baseline holds from start to end.
//
// Layout of the Int32Array it is given: [0] the lock word (0 free, 1 locked, 2 locked and a
// thread may sleep on it). Protocol: acquire by CAS 0 → 1, or by exchange to 2 before sleeping;
// release by decrement, and a release from 2 stores 0 and wakes one sleeper.

/** Spins on a held lock before sleeping: about a microsecond on this machine. */
const spinsBeforeSleep = 100;

export function lockGlobal(word: Int32Array): void {
  let seen = Atomics.compareExchange(word, 0, 0, 1);
  if (seen === 0) return;
  for (let spin = 0; spin < spinsBeforeSleep; spin += 1) {
    if (Atomics.load(word, 0) === 0 && Atomics.compareExchange(word, 0, 0, 1) === 0) return;
  }
  if (seen !== 2) seen = Atomics.exchange(word, 0, 2);
  while (seen !== 0) {
    Atomics.wait(word, 0, 2);
    seen = Atomics.exchange(word, 0, 2);
  }
}

export function unlockGlobal(word: Int32Array): void {
  if (Atomics.sub(word, 0, 1) !== 1) {
    Atomics.store(word, 0, 0);
    Atomics.notify(word, 0, 1);
  }
}
