// A recorded instance as a fixture file (docs/sagas.md, "Replay check"): JSON, bigint-free,
// its keys in a fixed order (the schema's, and sorted inside data), so that a recording made
// again differs where a decision or an input did, not where the code built an object otherwise.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { DecisionInput, SagaDecision } from './recording';
import { incomingEventSchema, parseIncomingEvent } from './view';

const at = z.string().min(1);
const decisionInputSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('StartSaga'), trigger: incomingEventSchema, now: at }),
  z.object({ type: z.literal('HandleReply'), reply: incomingEventSchema, now: at }),
  z.object({ type: z.literal('Wake'), id: z.string().min(1), now: at }),
  z.object({
    type: z.literal('Operate'),
    action: z.enum(['retry', 'compensate', 'resolve']),
    by: z.string(),
    reason: z.string(),
    id: z.string().min(1),
    now: at,
  }),
  z.object({ type: z.literal('Cancel'), request: incomingEventSchema, now: at }),
]);

export const sagaFixtureSchema = z.object({
  saga: z.string().min(1),
  version: z.number().int(),
  /** The instance's stream id. */
  instance: z.string().min(1),
  /** What happened to the instance, for people reading the file. */
  scenario: z.string(),
  /** Every decision appended to the instance, in stream order. */
  history: z.array(z.object({ input: decisionInputSchema, decided: z.array(z.object({ type: z.string().min(1), data: z.unknown() })) })),
});
export type SagaFixture = z.infer<typeof sagaFixtureSchema>;

/** The input as the fixture keeps it: an incoming event only as the engine reads it (no revision, no position). */
const kept = (input: DecisionInput): DecisionInput => {
  switch (input.type) {
    case 'StartSaga':
      return { ...input, trigger: parseIncomingEvent(input.trigger) };
    case 'HandleReply':
      return { ...input, reply: parseIncomingEvent(input.reply) };
    case 'Cancel':
      return { ...input, request: parseIncomingEvent(input.request) };
    default:
      return input;
  }
};

/** A copy with every object's keys in order, so the text does not depend on how the code built it. */
const sorted = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sorted);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, each]) => [key, sorted(each)]),
  );
};

/**
 * One instance's recorded decisions as a fixture. Throws unless they are its whole stream:
 * the first at revision 0, each next one where the one before ended (a decision another
 * process appended, or one the recorder missed, would leave a gap).
 */
export const fixtureOf = (decisions: readonly SagaDecision[], scenario: string): SagaFixture => {
  const ordered = [...decisions].sort((a, b) => (a.revision < b.revision ? -1 : a.revision > b.revision ? 1 : 0));
  const [first] = ordered;
  if (!first) throw new Error(`no decisions recorded for the scenario '${scenario}'`);
  let next = 0n;
  for (const decision of ordered) {
    if (decision.sagaId !== first.sagaId) throw new Error(`the scenario '${scenario}' recorded ${first.sagaId} and ${decision.sagaId}: one instance a fixture`);
    if (decision.revision !== next) throw new Error(`${first.sagaId}: a decision at revision ${decision.revision} follows the ones up to ${next - 1n}`);
    next += BigInt(decision.decided.length);
  }
  const history = ordered.map(({ input, decided }) => ({ input: sorted(kept(input)), decided: sorted(decided) }));
  // A saga's name has no dash: it is its instances' stream category.
  const saga = first.sagaId.slice(0, first.sagaId.indexOf('-'));
  // Through JSON, as a file holds it (an undefined field is dropped); the schema puts its own fields in its order.
  return sagaFixtureSchema.parse(JSON.parse(JSON.stringify({ saga, version: first.version, instance: first.sagaId, scenario, history })));
};

/** The fixture as the text of its file. */
export const fixtureText = (fixture: SagaFixture): string => `${JSON.stringify(fixture, null, 2)}\n`;

/** Every fixture under a folder (and its sub-folders), with its path relative to it, in path order. */
export const readSagaFixtures = (folder: string): { file: string; fixture: SagaFixture }[] =>
  readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const parsed = sagaFixtureSchema.safeParse(JSON.parse(readFileSync(path.join(folder, file), 'utf8')));
      if (!parsed.success) throw new Error(`${file} is no saga fixture: ${parsed.error.message}`);
      return { file, fixture: parsed.data };
    });
