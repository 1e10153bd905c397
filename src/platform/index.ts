/** platform/: what differs between runtimes, behind one web-standard-only interface. */
export {
  environmentVariable,
  nodeBuiltin,
  nodeBuiltinIfAny,
  type NodeBuiltin,
} from './node-builtins.js';
export { currentThreadId } from './thread-identity.js';
export { canBlock, sleepWhileEqual, sleepWhileEqualAsync } from './wait.js';
