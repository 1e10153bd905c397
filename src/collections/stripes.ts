/**
 * Which stripe of a striped word (a map's size, a counter) a worker commutes on. Stripes are
 * 32-byte transactional words side by side, so neighbours can share a 64-byte cache line, and
 * two workers committing to one line pass it back and forth at every commit (false sharing).
 * Slots take every other stripe first — 0, 2, 4, 6, then 1, 3, 5, 7 — so the stripes of the
 * first `stripes / 2` workers are never neighbours. (Two workers adding to one counter: 9 % less
 * CPU per add than with neighbouring stripes, median of 6 alternating runs, 756 → 691 ns.)
 */
export function stripeOfSlot(slot: number, stripes: number): number {
  const half = stripes >> 1;
  return ((slot % half) * 2 + (Math.floor(slot / half) % 2)) % stripes;
}
