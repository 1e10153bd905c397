// A generated corpus for the word-count workload: words drawn by a seeded generator from a
// vocabulary with a Zipf-like law (a few words very frequent, most rare, as in text), so that a
// run is reproducible and its counts can be checked against a count made in one thread.

/** A small seeded generator (mulberry32): the same numbers for the same seed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const syllables = ['ka', 'lo', 'mi', 're', 'tu', 'sa', 'ne', 'vo', 'pi', 'da', 'ru', 'el', 'on'];

/** `size` distinct words of one to four syllables, the most frequent first. */
export function vocabulary(size: number): string[] {
  const words: string[] = [];
  const seen = new Set<string>();
  const random = seeded(size);
  while (words.length < size) {
    const length = 1 + Math.floor(random() * 4);
    let word = '';
    for (let index = 0; index < length; index += 1) {
      word += syllables[Math.floor(random() * syllables.length)] ?? '';
    }
    if (seen.has(word)) continue;
    seen.add(word);
    words.push(word);
  }
  return words;
}

/**
 * Chunk `index` of the corpus of `seed`: about `bytes` characters of words separated by single
 * spaces, word rank r drawn with probability ∝ 1/(r + 1) (inverse-CDF on a table).
 */
export function corpusChunk(
  words: readonly string[],
  seed: number,
  index: number,
  bytes: number,
): string {
  const random = seeded(seed * 1_000_003 + index);
  const harmonic = Math.log(words.length + 1);
  const parts: string[] = [];
  let length = 0;
  while (length < bytes) {
    // Rank by inverting the continuous approximation of the harmonic CDF.
    const rank = Math.min(words.length - 1, Math.floor(Math.exp(random() * harmonic) - 1));
    const word = words[rank] ?? '';
    parts.push(word);
    length += word.length + 1;
  }
  return parts.join(' ');
}
