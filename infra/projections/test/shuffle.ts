/** A seeded generator (mulberry32): the same seed gives the same interleaving. */
export const seeded = (seed: number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** Merges sequences in a random order that keeps each sequence's own order (as topics do). */
export const interleave = <T>(sequences: T[][], random: () => number): T[] => {
  const cursors = sequences.map(() => 0);
  const merged: T[] = [];
  for (;;) {
    const open = sequences.flatMap((sequence, index) => ((cursors[index] ?? 0) < sequence.length ? [index] : []));
    if (open.length === 0) return merged;
    const pick = open[Math.floor(random() * open.length)] as number;
    merged.push(sequences[pick]?.[cursors[pick] ?? 0] as T);
    cursors[pick] = (cursors[pick] ?? 0) + 1;
  }
};

/** Cuts a list in chunks of random sizes, 1 to max. */
export const chunked = <T>(items: T[], max: number, random: () => number): T[][] => {
  const chunks: T[][] = [];
  for (let next = 0; next < items.length;) {
    const size = 1 + Math.floor(random() * max);
    chunks.push(items.slice(next, next + size));
    next += size;
  }
  return chunks;
};
