// What a worker of the terminate test shares with the main thread outside the heap: plain
// Int32 words in a SharedArrayBuffer, so the main thread can read them about a worker it killed
// (a dead worker's last stores are final) without going through the STM under test.
//
// | field    | word | atomic | written by        | meaning                                  |
// |----------|------|--------|-------------------|------------------------------------------|
// | returned | 0    | yes    | the worker        | transfers whose `atomically` returned    |
// | phase    | 1    | yes    | the worker        | code of the last phase it reached        |
// | aim      | 2    | yes    | main, then worker | phase to park at (`noAim`: none)         |
// | parked   | 3    | yes    | the worker        | 1 while parked at the aimed phase        |
//
// Word offsets are per worker: worker i's fields start at word i × `progressWords`.

import { commitCrashPoints } from '../../src/base/index.js';

/** Where a worker is: its own marks in user code, and the engine's commit crash points. */
export const phases = [
  'idle',
  'user',
  'user.locked',
  'user.inevitable',
  'audit',
  ...commitCrashPoints,
] as const;
export type PhaseName = (typeof phases)[number];

/** A phase's code is its index in `phases`. */
export const phaseCode = (name: PhaseName): number => phases.indexOf(name);
export const phaseName = (code: number): PhaseName | 'unknown' => phases[code] ?? 'unknown';

export const progressField = { returned: 0, phase: 1, aim: 2, parked: 3 } as const;
export const progressWords = 4;
/** `aim` when the main thread aims at nothing. */
export const noAim = -1;
