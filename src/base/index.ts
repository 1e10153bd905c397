/** base/: errors, invariant checks, named limits and branded units. Imports nothing. */
export * from './errors.js';
export * from './assert.js';
export * from './units.js';
export * as limits from './limits.js';
export {
  commitCrashPoints,
  crashPoint,
  faults,
  helpCrashPoints,
  inevitableCrashPoints,
  lockCrashPoints,
  retryCrashPoints,
  txCrashPointSide,
  type CrashPointName,
  type TxCrashPointName,
} from './fault-injection.js';
