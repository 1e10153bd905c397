/** platform/: what differs between runtimes, behind one web-standard-only interface. */
export { currentThreadId } from './thread-identity.js';
export { canBlock, sleepWhileEqual, sleepWhileEqualAsync } from './wait.js';
