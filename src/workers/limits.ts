/**
 * The named limits of the workers layer (STYLE.md §4), in one place. Units are last in the
 * names. Nothing here is read from the environment; tests pass smaller values as options where
 * a limit is an option.
 */

/** Call records of one pool: calls in flight at once (more wait in the caller's thread). */
export const poolRecordsDefault = 4096;
/** Bytes of one call record's inline payload (arguments, then the result or error). */
export const recordPayloadBytes = 224;
/** Calls one worker claims per access to the call ring, at most. */
export const callBatchMax = 32;
/** A pool worker waiting for calls wakes at least this often to check that the pool is open. */
export const workerIdleWaitMs = 1000;
/** A pool worker that finds no call goes back to its event loop if it has not for this long. */
export const macrotaskYieldMs = 10;
/** The caller's thread waiting for results wakes at least this often (timeouts, liveness). */
export const callerWaitMsMax = 200;
/** How often the caller's thread checks call timeouts while a call with a timeout runs. */
export const timeoutCheckMs = 20;

/** Task records of one `TransactionQueue` ring (a power of two). */
export const taskRingSlotsMax = 2 ** 16;
export const taskRingSlotsMin = 2 ** 10;
/** Bytes of one task record's inline payload (the task's name and arguments). */
export const taskPayloadBytes = 120;
/** Tasks one worker claims per access to the task ring, at most. */
export const taskBatchMax = 64;
/** A queue worker waiting for tasks wakes at least this often to look for the end of the run. */
export const taskIdleWaitMs = 50;
/** The thread that runs the queue feeds tasks to the ring at least this often while some wait. */
export const feedWaitMs = 5;
/** Progress events of `TransactionQueue.run`, at most this often. */
export const progressMsDefault = 100;
