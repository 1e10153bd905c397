/**
 * Every named limit of the library, in one place (STYLE.md §4). Units are last in the names.
 * A limit that tests shrink to shake out races is passed explicitly to the code that uses it;
 * nothing here is read from the environment.
 */

/** Largest heap reservation. Handles hold an offset in 8-byte units in 32 bits, views are fixed. */
export const heapBytesMax = 8 * 2 ** 30;
/** Smallest heap reservation: the metadata plus a handful of superblocks. */
export const heapBytesMin = 1 * 2 ** 20;
/** Default reservation: reserved, not resident; pages are touched only when first used. */
export const heapBytesDefault = 1 * 2 ** 30;

/** Superblock size: the unit of the page map, of size-class ownership and of large-block runs. */
export const superblockBytesLog2 = 16;
export const superblockBytes = 2 ** superblockBytesLog2;

/**
 * Worker slots in the shared registry: how many workers may be attached to one heap at once.
 * Servers with 128–192 cores exist; the STM's words pack a slot in 8 bits (stm/words.ts).
 */
export const workerSlotsMax = 256;

/**
 * Attempts to claim a run of superblocks before giving up. Each failed attempt means another
 * worker claimed pages in between (the scan itself is wait-free), so this bounds starvation only.
 */
export const pageClaimAttemptsMax = 1_000;

/**
 * Default time a worker may stay inside the library (online) without reporting a newer epoch
 * before reclaimers neutralise it and stop waiting for it. Long enough that only a stalled worker
 * (descheduled, stopped in a debugger, busy in user code inside an operation) is ever hit.
 */
export const reclaimStallMsDefault = 1000;

/** Times one operation is redone because its worker was neutralised while running it. */
export const neutralisedRedoMax = 1000;

/** Depth of nesting accepted in a stored snapshot (arrays and objects inside each other). */
export const snapshotDepthMax = 1_000;

/** Compare-and-swap attempts of one `cell.update` before it reports a livelock bug. */
export const cellUpdateAttemptsMax = 1_000_000;

/** Cells one transaction may write (bounds every loop over a write set or a shared log). */
export const txWriteSetMax = 1 << 20;

/** Cells one transaction may read before it must be split (bounds loops over a read set). */
export const txReadSetMax = 1 << 22;

/** Checks of a lock or intent before a waiter goes to sleep on it (it is usually about to go). */
export const conflictSpinMax = 64;

/**
 * Loads of a held lock's owner word before a writer that waits for it goes to sleep: about 2–3 µs,
 * longer than the rest of a short transaction, far shorter than a futex sleep and wake-up
 * (tens of µs), which would otherwise be paid on every hand-over of a contended cell.
 */
export const lockSpinMax = 256;

/**
 * How long a worker waits on the transaction that holds a cell it needs before it aborts that
 * transaction (preemption). Longer than any commit phase or short user code; a worker stuck in
 * user code (or dead, unwatched) while holding locks delays others by at most this much.
 */
export const ownerWaitMsMax = 20;

/** One sleep on a futex word; the waiter rechecks the state it waits on after each slice. */
export const waitSliceMs = 5;

/**
 * Aborted attempts after which a transaction runs inevitable (irrevocable, never aborted) from
 * its next attempt on: the bound on attempts per transaction under any load.
 */
export const attemptsBeforeInevitable = 16;

/** Attempts of one transaction after which the library reports a livelock bug. */
export const txAttemptsMax = 1_000_000;

/**
 * Longest sleep of a `retry` before it revalidates what it read (a safety net against a lost
 * wake-up from a worker that died between writing a cell and waking its watchers).
 */
export const retrySleepMsMax = 1000;

/**
 * Channels (channels/). Largest capacity of a bounded channel: its ring of slots is one block of
 * 32 bytes per slot, so 2^20 slots is a 32 MiB block; larger queues are unbounded channels.
 */
export const channelCapacityMax = 2 ** 20;
/**
 * How long a blocked channel operation spins on the channel's event word before it sleeps:
 * longer than a round trip between two busy workers (~10–20 µs measured here), so a receiver
 * that is fed steadily takes each item without a futex round trip (~200 µs on this loaded
 * machine), and short enough that a long wait costs almost no CPU. `channelSpinLoadsMax` bounds
 * the loads whatever the clock does.
 */
export const channelSpinMs = 0.05;
export const channelSpinLoadsMax = 100_000;
/**
 * Longest sleep of a blocked channel operation before it looks again (a safety net against a
 * wake-up lost with a worker that died between its commit and its notify).
 */
export const channelSleepMsMax = 100;
/**
 * Longest sleep of a `select` on one of its channels before it polls the others: a select waits
 * on one futex word at a time, so a case on another channel is seen within this.
 */
export const selectSleepMsMax = 2;
/**
 * How long `trySend` on a rendezvous channel waits for a receiver it saw waiting to take the
 * item, before it takes the item back and reports failure.
 */
export const handoffTryMsMax = 20;
