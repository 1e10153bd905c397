/**
 * The descriptor of one superblock: 64 bytes (one cache line, so that two workers owning
 * neighbouring superblocks never write the same line on their fast paths) in the descriptor table
 * (memory/layout.ts), indexed by superblock number. Descriptors live outside the superblocks so that the whole 64 KiB of a
 * superblock holds blocks and so a dead worker's superblocks can be found by scanning the table.
 *
 * | field           | word | atomic | written by                         | invariant                  |
 * |-----------------|------|--------|------------------------------------|----------------------------|
 * | kind            | 0    | no     | the claimer, before first block    | SuperblockKind             |
 * | classOrRun      | 1    | no     | the claimer                        | small: size class;         |
 * |                 |      |        |                                    | large head: run length     |
 * | owner           | 2    | yes    | owner (abandon), adopter (CAS      | worker slot + 1; 0 = none  |
 * |                 |      |        | abandoned → me), claimer (store)   | (free, large); −1 =        |
 * |                 |      |        |                                    | abandoned (abandonedOwner) |
 * | localFree       | 3    | no     | owner only                         | unit of first free block   |
 * | bumpUnit        | 4    | no     | owner only                         | first never-used unit      |
 * | usedBlocks      | 5    | no     | owner only                         | handed out − returned      |
 * | remoteFree      | 6    | yes    | remote freers (CAS push),          | Treiber stack of units;    |
 * |                 |      |        | owner (exchange to 0 = pop all)    | 0 = empty                  |
 * | remoteFreeCount | 7    | yes    | remote freers (+1 before push),    | ≥ blocks on remoteFree     |
 * |                 |      |        | owner (− blocks collected)         |                            |
 * | generationFloor | 8    | no     | whoever hands out a block here     | above every generation     |
 * |                 |      |        | (the owner; a large block's        | handed out here so far     |
 * |                 |      |        | claimer); kept across lives        | (mod 2^24); see below      |
 * | (reserved)      | 9–15 |        |                                    | zero                       |
 *
 * A block at an offset never used in the superblock's current life takes `generationFloor` as its
 * generation: whatever lies at that offset is old data of an earlier life (other size class,
 * large block), and a generation derived from it could repeat one that a stale handle or a
 * worker's decode cache still carries for that offset. The floor survives reformatting, and the
 * next claimer reads it after the page map's CAS that handed it the superblock.
 *
 * The owner's fast path touches only owner-only words (plain loads and stores, no shared
 * writes). Remote frees never take a lock: one atomic add and one CAS push. Pop-all by exchange
 * makes the remote stack immune to ABA: no worker ever pops a single node.
 */
export const SuperblockKind = {
  free: 0,
  small: 1,
  largeHead: 2,
  largeTail: 3,
} as const;

export const descriptorWords = 16;

/**
 * Owner word of an abandoned small superblock. Distinct from 0 (a free superblock's), so that an
 * adopter's CAS can never take a superblock that was adopted, emptied and freed meanwhile (ABA).
 */
export const abandonedOwner = -1;

export const descriptorField = {
  kind: 0,
  classOrRun: 1,
  owner: 2,
  localFree: 3,
  bumpUnit: 4,
  usedBlocks: 5,
  remoteFree: 6,
  remoteFreeCount: 7,
  generationFloor: 8,
} as const;
