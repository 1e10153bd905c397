/**
 * A lookup in a hash table (hash-table.ts) outside any transaction, without the transaction
 * machinery: `map.get`, `map.has` and `set.has` called on their own. Each transactional word it
 * depends on is read with one atomic load of its value (the committed value at that load, as
 * `readOutside` in objects/read-value.ts reads a word); nothing is logged, locked or validated
 * against a snapshot. On any doubt — an intent met, the table growing or replaced, a chain longer
 * than expected, this worker neutralised — it gives no answer and the caller runs the ordinary
 * transaction, so it only ever answers in the common case.
 *
 * **What is read.** T: the map's table word (one atomic load, `seen`). If it names table `tbl`
 * and does not grow: the bucket word B of the key's bucket in `tbl`, then the next words of the
 * entries passed (one atomic load each), the plain hash and key of each entry, then for `get` the
 * value word V of the entry found (one atomic load). A miss reloads T at the end. Every word read
 * atomically is a committed value at its load: a value word changes old → intent → new, and any
 * intent gives up. The plain fields (hash, key, the table's bucket count) were written before the
 * block was published by the SeqCst write of a link or of T that this reader has loaded, and never
 * change while the block can be reached (decision 0009, case (a)).
 *
 * **Facts about the table it relies on** (each from the writers in hash-table.ts):
 * 1. An entry is *live* from the commit that links it (insert) until the commit that unlinks it
 *    (delete) or replaces the table (clear); it never becomes live again (a key inserted again
 *    gets a new entry). Its hash and key never change.
 * 2. In a table that does not grow, links change only by inserts and deletes: an insert writes
 *    its bucket word (a new head whose next is the old head); a delete writes the one link (a
 *    bucket word or its live predecessor's next word) that pointed at the deleted entry, to that
 *    entry's next. Moving buckets (migration) writes links only while T says the table grows.
 * 3. A dead entry's next word is frozen: no delete writes it (its live predecessor, or the bucket,
 *    is written when an entry is removed) and no migration moves it.
 * 4. A dead entry's value word is frozen: a set writes V only in a transaction that read the link
 *    to the entry, so a set serialised after the delete or clear would not have found the entry
 *    (it read the changed link or T) and a set serialised before it wrote V before its death.
 * 5. T's value never recurs while this worker is inside one epoch (reclaim/): a clear or a growth
 *    names a new table, and a table leaves T only to be retired, freed only after this worker's
 *    next quiescent point. So two loads of T that return the same word bracket a stretch in which
 *    no transaction that writes T (clear, growth start or end) was serialised; and a migration step
 *    (which reads T as growing) cannot be serialised in it either.
 * 6. Everything reached was live at some moment after `reclaim.enter()` (below), so its block is
 *    not freed before this worker's next quiescent point unless the worker is neutralised;
 *    `stillValid()` at the end says it was not, so every plain read above read a live block.
 *
 * **Visited entries were live during the call.** The first entry is B's committed value at its
 * load t1, live then. If X was live at some moment τ ≥ t1 and its next word is loaded at t, the
 * entry Y loaded was live at t (X still live: Y is its live successor) or at X's death in (τ, t]
 * (X's next is frozen from then on, fact 3, and named its live successor just before). So every
 * entry the walk reaches was live at some moment between t1 and its own load.
 *
 * **Hit (linearisation point).** The walk reaches E whose hash and key equal the probe's; E was
 * live at some τ in the call. `has` answers true: at τ the map held the key. `get` loads V at
 * t_v ≥ τ: if E was still live at t_v, V's value is the key's value then (linearised at t_v);
 * if E died at t_d in (τ, t_v], V has not changed since t_d (fact 4), so just before t_d the map
 * held the key with that value (linearised there). Either point lies inside the call.
 *
 * **Miss.** The walk ends at 0 and T loads `seen` again. By fact 5 T was `seen`, not growing,
 * throughout [t0, t_end]: no clear, no growth, no migration step was serialised in it, so only
 * inserts, deletes and value sets changed the table (fact 2). Suppose the key were in the map
 * throughout [t1, t_end] as one entry E_K. Then E_K was in `tbl` at B's bucket at t1, reachable
 * from B. Reachability of E_K from any entry is kept by every step in the interval: an insert
 * writes only B; a delete of D ≠ E_K rewrites one link that pointed at D to D's next and leaves
 * D's next as it was, so a path through D still reaches E_K (through D, or around it). So each
 * next word the walk loads is E_K itself or an entry from which E_K is reachable — never 0. A walk
 * that ends at 0 therefore shows the key absent at some moment in [t1, t_end]: the linearisation
 * point of the miss (the key deleted then, or not yet inserted at t1).
 *
 * **Ordering.** Every load of a word another thread writes is SeqCst (`Atomics.load`) except the
 * plain fields of case (a), so the argument is one of the JavaScript memory model: the SeqCst
 * loads and the writers' SeqCst CASes are in one total order, and "at its load" above means its
 * place in that order. No plain read is validated by a later read of another word.
 */
import { handleUnit } from '../alloc/index.js';
import type { Handle } from '../base/index.js';
import { ReferenceDied, type HeapContext } from '../objects/index.js';
import { twordValue } from '../stm/index.js';
import { isIntentWord, numberOfWord } from '../values/index.js';
import { keyEquals } from './map-keys.js';
import {
  entryHashWord,
  entryKeySlot,
  entryNextWord,
  entryValueWord,
  growingOfValue,
  mapTableWord,
  tableBucketsWord,
  tableBucketWord,
  tableOfValue,
} from './map-layout.js';

/** What a lookup outside a transaction returns when it gives no answer. */
export const noAnswer: unique symbol = Symbol('no answer');

/** Entries a walk passes before it gives up (chains hold about one entry; dead ones add a few). */
const walkMax = 64;

/**
 * Outside any transaction: the value of `key` (normalised, with its `hash` and, for keys compared
 * by word, its `word`) in the map at `unit`, `undefined` if absent; with `wantValue` false, true
 * or false for present or absent. `noAnswer` when the caller must run the transactional lookup.
 */
export function lookupOutside(
  context: HeapContext,
  unit: number,
  key: unknown,
  hash: number,
  word: bigint | undefined,
  wantValue: boolean,
): unknown {
  const reclaim = context.reclaim;
  reclaim.enter();
  const { i32, b64 } = context.memory;
  const tableIndex = twordValue(mapTableWord(unit));
  // ORDERING: SeqCst; pairs with the commit that published the table (and its bucket count).
  const seen = Atomics.load(b64, tableIndex);
  if (isIntentWord(seen)) return noAnswer;
  const tableValue = numberOfWord(seen) ?? 0;
  if (growingOfValue(tableValue)) return noAnswer;
  const table = handleUnit(tableOfValue(tableValue) as Handle);
  let result: unknown;
  try {
    const buckets = i32[tableBucketsWord(table)] ?? 1;
    let link = Atomics.load(b64, twordValue(tableBucketWord(table, hash & (buckets - 1))));
    let found = 0;
    for (let passed = 0; ; passed += 1) {
      if (isIntentWord(link) || passed > walkMax) return noAnswer;
      const entry = numberOfWord(link) ?? 0;
      // 0 ends the chain; a moved bucket cannot be met in a table that does not grow (fact 2).
      if (entry <= 0) {
        if (entry !== 0) return noAnswer;
        break;
      }
      const entryUnit = handleUnit(entry as Handle);
      // Plain reads (case (a)): published by the link just loaded; never change (fact 1).
      if (
        i32[entryHashWord(entryUnit)] === hash &&
        keyEquals(context, key, word, b64[entryKeySlot(entryUnit)] ?? 0n)
      ) {
        found = entryUnit;
        break;
      }
      link = Atomics.load(b64, twordValue(entryNextWord(entryUnit)));
    }
    if (found === 0) {
      // A miss holds only if T did not change meanwhile (fact 5).
      if (Atomics.load(b64, tableIndex) !== seen) return noAnswer;
      result = wantValue ? undefined : false;
    } else if (!wantValue) {
      result = true;
    } else {
      const valueWord = Atomics.load(b64, twordValue(entryValueWord(found)));
      if (isIntentWord(valueWord)) return noAnswer;
      result = context.codec.decode(valueWord);
    }
  } catch (error) {
    // A reference that died right after the read, or anything read from a block freed under a
    // neutralised worker: the transactional path decides.
    if (error instanceof ReferenceDied || !reclaim.stillValid()) return noAnswer;
    throw error;
  }
  // Fact 6: nothing read above was freed (else the caller redoes the lookup in a transaction).
  return reclaim.stillValid() ? result : noAnswer;
}
