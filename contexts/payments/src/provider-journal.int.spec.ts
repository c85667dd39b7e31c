import { sqlDatabases, testScope, type TestDatabase } from '@ordo/testing';
import { sqlProviderJournal, type JournalEntry, type ProviderJournal } from './provider-journal';
import { simulatedProvider, TEST_CARDS } from './simulated-provider';

// The simulated provider's journal on both databases payments runs on: a provider started
// again from it (a payments process killed and restarted) keeps the books of the one before.
const scope = testScope();

const authorize = (idempotencyKey: string, cardToken: string = TEST_CARDS.ok) => ({
  idempotencyKey,
  orderId: 'o-1',
  amountCents: 2500,
  currency: 'EUR',
  cardToken,
});
const on = (idempotencyKey: string, authorizationId: string) => ({ idempotencyKey, orderId: 'o-1', authorizationId, amountCents: 2500 });
const referenceOf = (result: { approved: boolean }) => {
  if (!('reference' in result)) throw new Error(`expected an approval, got ${JSON.stringify(result)}`);
  return result.reference as string;
};

describe.each(sqlDatabases(scope))('the simulated provider journaled on %s', (_name, open) => {
  let database: TestDatabase;
  let journal: ReturnType<typeof sqlProviderJournal>;
  /** A provider as a fresh process starts it: from what the journal holds. */
  const restarted = async (writeTo: ProviderJournal = journal) => simulatedProvider({ journal: writeTo, history: await journal.entries() });

  beforeAll(async () => {
    database = await open();
    journal = sqlProviderJournal(database.sql, database.schema);
    await journal.migrate();
  });
  afterEach(() => database.sql.query(`delete from ${database.schema}.simulated_provider_journal`));
  afterAll(() => database?.close());

  it('captures and voids after a restart the authorizations made before it, and refuses what the books forbid', async () => {
    const before = await restarted();
    const toCapture = referenceOf(await before.authorize(authorize('a-1')));
    const toVoid = referenceOf(await before.authorize(authorize('a-2')));
    const expiring = referenceOf(await before.authorize(authorize('a-3', TEST_CARDS.expiresBeforeCapture)));
    expect(await before.void(on('v-2', toVoid))).toMatchObject({ approved: true });

    const after = await restarted();
    expect(await after.capture(on('c-1', toCapture))).toMatchObject({ approved: true });
    expect(await after.capture(on('c-2', toVoid))).toEqual({ approved: false, reason: 'the authorization was voided already' });
    expect(await after.capture(on('c-3', expiring))).toEqual({ approved: false, reason: 'the authorization expired' });
    expect(await after.void(on('v-1', toCapture))).toEqual({ approved: false, reason: 'the authorization was captured: refund it instead' });
    expect(after.charges().map((charge) => charge.idempotencyKey)).toEqual(['a-1', 'a-2', 'a-3', 'c-1']);
  });

  it('keeps an order voided by its reference after a restart: its authorization stays voided, and a later one is declined', async () => {
    const before = await restarted();
    const held = referenceOf(await before.authorize(authorize('a-10')));
    expect(await before.void({ idempotencyKey: 'v-3', orderId: 'o-1', amountCents: 0 })).toMatchObject({ approved: true });

    const after = await restarted();
    expect(await after.capture(on('c-4', held))).toEqual({ approved: false, reason: 'the authorization was voided already' });
    expect(await after.authorize(authorize('a-11'))).toEqual({ approved: false, reason: "the order's payment was voided" });
  });

  it('answers a key used before the restart with its first answer, writing nothing more', async () => {
    const before = await restarted();
    const first = await before.authorize(authorize('a-4'));
    const declined = await before.authorize(authorize('a-5', TEST_CARDS.declined));
    const written = (await journal.entries()).length;

    const after = await restarted();
    expect(await after.authorize(authorize('a-4'))).toEqual(first);
    expect(await after.authorize(authorize('a-5', TEST_CARDS.ok))).toEqual(declined);
    expect(await journal.entries()).toHaveLength(written);
    expect(after.charges()).toEqual([{ idempotencyKey: 'a-4', operation: 'authorize', orderId: 'o-1', amountCents: 2500, answer: first }]);
  });

  it('gives references after a restart that it never gave before', async () => {
    const before = await restarted();
    const given = [referenceOf(await before.authorize(authorize('a-6'))), referenceOf(await before.authorize(authorize('a-7')))];
    const after = await restarted();
    expect(given).not.toContain(referenceOf(await after.authorize(authorize('a-8'))));
  });

  it('answers only once the answer is written: a failed write fails the call, and its retry writes the first answer', async () => {
    let failing = true;
    const flaky: ProviderJournal = {
      record: async (entry: JournalEntry) => {
        if (failing) throw new Error('the journal is unreachable (simulated)');
        return journal.record(entry);
      },
      entries: journal.entries,
      entriesOf: journal.entriesOf,
    };
    const provider = await restarted(flaky);
    await expect(provider.authorize(authorize('a-9'))).rejects.toThrow(/unreachable/);
    expect(await journal.entries()).toEqual([]);

    failing = false;
    const answer = await provider.authorize(authorize('a-9'));
    expect((await journal.entries()).map((entry) => ({ key: entry.idempotencyKey, answer: entry.answer }))).toEqual([{ key: 'a-9', answer }]);
    expect(provider.charges()).toHaveLength(1);
  });

  it('shares its books between replicas on one journal: each captures, voids and refunds what the other did, and answers its keys alike', async () => {
    const [first, second] = [simulatedProvider({ journal }), simulatedProvider({ journal })];
    const held = referenceOf(await first.authorize(authorize('r-1')));
    // The other replica answers a key the first answered with the first's answer, writing nothing.
    expect(await second.authorize(authorize('r-1'))).toEqual({ approved: true, reference: held });
    const captured = referenceOf(await second.capture(on('r-2', held)));
    expect(await first.capture(on('r-3', held))).toEqual({ approved: false, reason: 'the authorization was captured already' });
    expect(await first.refund({ idempotencyKey: 'r-4', orderId: 'o-1', captureId: captured, amountCents: 2500, reason: 'r' })).toMatchObject({
      approved: true,
    });
    expect(await second.refund({ idempotencyKey: 'r-5', orderId: 'o-1', captureId: captured, amountCents: 2500, reason: 'r' })).toEqual({
      approved: false,
      reason: 'the capture was refunded already',
    });
    expect((await journal.entries()).map((entry) => entry.idempotencyKey)).toEqual(['r-1', 'r-2', 'r-3', 'r-4', 'r-5']);
  });

  it('takes the answer another replica wrote first under a key, and books the order as the journal does', async () => {
    const [first, second] = [simulatedProvider({ journal }), simulatedProvider({ journal })];
    // Both decide on one key at once, as two replicas may while a partition moves: the journal keeps one answer.
    const [one, other] = await Promise.all([first.authorize(authorize('r-6')), second.authorize(authorize('r-6'))]);
    expect(other).toEqual(one);
    const [kept] = await journal.entries();
    expect(kept?.answer).toEqual(one);
    // Both books hold the kept authorization, and only it.
    expect(await first.capture(on('r-7', referenceOf(one)))).toMatchObject({ approved: true });
    expect(await second.void(on('r-8', referenceOf(one)))).toEqual({ approved: false, reason: 'the authorization was captured: refund it instead' });
  });

  it('keeps the first answer written under a key, and migrates again without harm', async () => {
    const entry: JournalEntry = {
      idempotencyKey: 'k-1',
      operation: 'authorize',
      orderId: 'o-1',
      amountCents: 1,
      details: {},
      answer: { approved: true, reference: 'auth_000001' },
    };
    await journal.record(entry);
    await journal.record({ ...entry, answer: { approved: false, reason: 'a later answer' } });
    await journal.migrate();
    expect(await journal.entries()).toEqual([entry]);
  });
});
