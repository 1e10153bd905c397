/**
 * The blocks of a `SharedChannel` (shared-channel.ts): a channel block, and for an unbounded
 * channel the segments of its list. Every word that changes after publication is either a
 * transactional word (stm/tword.ts), changed only by transactions, or one of four plain event
 * words used only to sleep and wake (never to decide anything).
 *
 * Positions: every item sent gets the next position `tail` (0, 1, 2, …); `head` is the position
 * of the next item to receive; `tail − head` items are queued. Position p lives in slot
 * `p mod ringSlots` of the ring (bounded and rendezvous channels) or in slot `p mod segmentSlots`
 * of the segment that holds it (unbounded). Positions are float64 integers, exact up to 2^53:
 * at the measured ~10^6 sends a second that is close to 300 years.
 *
 * Channel block (tag `channelTag`), 8 + 392 + ringSlots × 32 bytes. Three groups of fields, by
 * who writes them, each 64 bytes away from the next: blocks are only 8-byte aligned, and a
 * 64-byte gap is what keeps two groups off one cache line wherever the block starts, so that a
 * receive's writes do not take the line a concurrent send reads (and back).
 *
 * | field            | offset | size | atomic | written by                   | invariant                |
 * |------------------|--------|------|--------|------------------------------|--------------------------|
 * | header           | 0      | 8    | no     | allocator                    | tag `channelTag`         |
 * | refcount         | 8      | 4    | yes    | lifetime.ts (spare half of   | stored references + pins |
 * |                  |        |      |        | `head`'s word)               |                          |
 * | head             | 8      | 32   | tx     | receives                     | number; head ≤ tail      |
 * | headSegment      | 40     | 32   | tx     | the receive that empties a   | number: handle of the    |
 * |                  |        |      |        | segment (unbounded only)     | segment holding `head`   |
 * | takenEvents      | 72     | 4    | yes    | after a committed            | wrapping counter         |
 * |                  |        |      |        | receive/close                |                          |
 * | (gap)            | 76     | 68   | no     | nobody                       | cache-line gap           |
 * | tail             | 144    | 32   | tx     | sends (and a rendezvous      | number; tail − head ≤    |
 * |                  |        |      |        | sender taking its item back) | ringSlots if bounded     |
 * | tailSegment      | 176    | 32   | tx     | the send that fills the last | number: handle of the    |
 * |                  |        |      |        | slot of one (unbounded only) | segment holding `tail`   |
 * | sentEvents       | 208    | 4    | yes    | after a committed send/close | wrapping counter         |
 * | (gap)            | 212    | 68   | no     | nobody                       | cache-line gap           |
 * | closed           | 280    | 32   | tx     | `close` (0 → 1, once)        | number 0 or 1            |
 * | capacity         | 312    | 4    | no     | creator, before publication  | −1 unbounded, 0          |
 * |                  |        |      |        |                              | rendezvous, else bound   |
 * | receiversWaiting | 316    | 4    | yes    | a sleeping receive (+1, −1)  | ≥ 0 unless a waiter died |
 * | sendersWaiting   | 320    | 4    | yes    | a sleeping send (+1, −1)     | ≥ 0 unless a waiter died |
 * | receiversBlocked | 324    | 4    | yes    | a blocked receive or select, | ≥ 0 unless a waiter died |
 * |                  |        |      |        | spinning or asleep (+1, −1)  |                          |
 * | sendersBlocked   | 328    | 4    | yes    | a blocked send (+1, −1)      | ≥ 0 unless a waiter died |
 * | (gap)            | 332    | 68   | no     | nobody                       | cache-line gap           |
 * | ring slot i      | 400+32i| 32   | tx     | sends (value), receives      | slot word of the item at |
 * |                  |        |      |        | (`holeWord`)                 | position p ≡ i with      |
 * |                  |        |      |        |                              | head ≤ p < tail, else    |
 * |                  |        |      |        |                              | `holeWord`               |
 *
 * Segment (tag `channelSegmentTag`), 8 + (segmentSlots + 1) × 32 = 1000 bytes (class 1024):
 *
 * | field  | offset   | size | atomic | written by                        | invariant                 |
 * |--------|----------|------|--------|-----------------------------------|---------------------------|
 * | header | 0        | 8    | no     | allocator                         | tag `channelSegmentTag`   |
 * | slot j | 8 + 32 j | 32   | tx     | sends (value), receives (hole)    | as a ring slot            |
 * | next   | 968      | 32   | tx     | the send that fills slot last     | number: handle of the     |
 * |        |          |      |        |                                   | next segment, or 0        |
 *
 * The hole invariant (a slot holds a value iff its position is queued) lets a send decide "full"
 * from its own slot and a receive decide "empty" from its own slot, without reading the other
 * end's index: sends and receives on a channel that is neither empty nor full touch disjoint
 * words and never conflict.
 */
import type { BlockTag } from '../alloc/index.js';
import { twordUnits } from '../stm/index.js';

/** Block tags of a channel's blocks (collections use 8–16). */
export const channelTag = 17 as BlockTag;
export const channelSegmentTag = 18 as BlockTag;

/** `capacity` of an unbounded channel. */
export const unboundedCapacity = -1;

/** Bytes between field groups: wherever a block starts, no cache line holds two groups. */
const gapUnits = 64 / 8;

/** The receivers' group, in units from the block's unit. */
export const headWord = (unit: number): number => unit + 1;
export const headSegmentWord = (unit: number): number => unit + 1 + twordUnits;
const receiversUnit = (unit: number): number => unit + 1 + 2 * twordUnits;
/** The senders' group. */
const sendersStart = (unit: number): number => receiversUnit(unit) + 1 + gapUnits;
export const tailWord = (unit: number): number => sendersStart(unit);
export const tailSegmentWord = (unit: number): number => sendersStart(unit) + twordUnits;
const sendersUnit = (unit: number): number => sendersStart(unit) + 2 * twordUnits;
/** The shared, read-mostly group. */
const sharedStart = (unit: number): number => sendersUnit(unit) + 1 + gapUnits;
export const closedWord = (unit: number): number => sharedStart(unit);
const sharedUnit = (unit: number): number => sharedStart(unit) + twordUnits;

/** i32 indexes of the plain words. */
export const takenEventsIndex = (unit: number): number => receiversUnit(unit) * 2;
export const sentEventsIndex = (unit: number): number => sendersUnit(unit) * 2;
export const capacityIndex = (unit: number): number => sharedUnit(unit) * 2;
export const receiversWaitingIndex = (unit: number): number => sharedUnit(unit) * 2 + 1;
export const sendersWaitingIndex = (unit: number): number => sharedUnit(unit) * 2 + 2;
export const receiversBlockedIndex = (unit: number): number => sharedUnit(unit) * 2 + 3;
export const sendersBlockedIndex = (unit: number): number => sharedUnit(unit) * 2 + 4;

/** Bytes of the channel block's fixed part (after the header), and its ring's first slot. */
export const channelFixedBytes = (sharedUnit(0) + 3 + gapUnits - 1) * 8;
export const ringSlotWord = (unit: number, slot: number): number =>
  unit + 1 + channelFixedBytes / 8 + slot * twordUnits;
export const channelPayloadBytes = (ringSlots: number): number =>
  channelFixedBytes + ringSlots * twordUnits * 8;

/** Slots of a ring: a rendezvous channel holds its one item in flight in a ring of one. */
export const ringSlotsOf = (capacity: number): number =>
  capacity === unboundedCapacity ? 0 : Math.max(capacity, 1);

/** Slots of one segment of an unbounded channel: with `next`, 1000 bytes (class 1024). */
export const segmentSlots = 30;
export const segmentPayloadBytes = (segmentSlots + 1) * twordUnits * 8;
export const segmentSlotWord = (unit: number, slot: number): number => unit + 1 + slot * twordUnits;
export const segmentNextWord = (unit: number): number => unit + 1 + segmentSlots * twordUnits;
