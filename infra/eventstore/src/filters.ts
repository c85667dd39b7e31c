import type { AllFilter } from './types';

/**
 * The filter a read of all streams applies: the streams its own filter asks for that
 * the store also owns, so a store never hands over another context's events. Two
 * prefixes overlap when one starts with the other, and the longer one is what both
 * admit; none overlapping leaves an empty list, which admits nothing.
 */
export const withinStore = (filter: AllFilter | undefined, storePrefixes: readonly string[] | undefined): AllFilter => {
  const asked = filter?.streamPrefixes;
  const streamPrefixes = !storePrefixes
    ? asked
    : !asked
      ? [...storePrefixes]
      : [...new Set(asked.flatMap((a) => storePrefixes.flatMap((s) => (a.startsWith(s) ? [a] : s.startsWith(a) ? [s] : []))))];
  return { ...(streamPrefixes && { streamPrefixes }), ...(filter?.eventTypes && { eventTypes: filter.eventTypes }) };
};
