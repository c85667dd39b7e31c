import type { JournalEntry } from './provider-journal';
import { IdempotencyKeyReused, ProviderUnavailable, simulatedProvider, TEST_CARDS } from './simulated-provider';

const card = (cardToken: string, amountCents = 2500, idempotencyKey = `auth-${cardToken}-${amountCents}`) => ({
  idempotencyKey,
  orderId: 'o-1',
  amountCents,
  currency: 'EUR',
  cardToken,
});
/** A void by the order's reference: no authorization id, nothing known to be held. */
const voidOrder = (orderId: string, idempotencyKey = `void-${orderId}`) => ({ idempotencyKey, orderId, amountCents: 0 });
/** A journal in memory, and a provider started again from what it holds: the process killed and restarted. */
const inMemoryJournal = () => {
  const written: JournalEntry[] = [];
  return {
    journal: {
      // As the SQL journal does: the first entry under a key stays.
      record: async (entry: JournalEntry) => {
        const kept = written.find((each) => each.idempotencyKey === entry.idempotencyKey);
        if (!kept) written.push(entry);
        return kept ?? entry;
      },
      entries: async () => [...written],
      entriesOf: async (orderId: string) => written.filter((entry) => entry.orderId === orderId),
    },
    restarted: () => simulatedProvider({ history: [...written] }),
  };
};
const referenceOf = (result: { approved: boolean }) => {
  if (!('reference' in result)) throw new Error(`expected an approval, got ${JSON.stringify(result)}`);
  return result.reference as string;
};

describe('the simulated payment provider', () => {
  describe('decline rules', () => {
    it('approves tok_ok and any other token, with an authorization id', async () => {
      const provider = simulatedProvider();
      expect(await provider.authorize(card(TEST_CARDS.ok))).toEqual({ approved: true, reference: expect.stringMatching(/^auth_/) });
      expect(await provider.authorize(card('tok_visa_4242'))).toMatchObject({ approved: true });
    });

    it.each([
      [TEST_CARDS.declined, 'the card was declined'],
      [TEST_CARDS.insufficientFunds, 'insufficient funds'],
    ])('declines %s', async (token, reason) => {
      expect(await simulatedProvider().authorize(card(token))).toEqual({ approved: false, reason });
    });

    it('declines an amount over its limit, and takes the limit itself', async () => {
      const provider = simulatedProvider({ declineOverCents: 10_000 });
      expect(await provider.authorize(card(TEST_CARDS.ok, 10_001))).toEqual({ approved: false, reason: '10001 cents is over the limit of 10000 cents' });
      expect(await provider.authorize(card(TEST_CARDS.ok, 10_000))).toMatchObject({ approved: true });
      expect(await simulatedProvider().authorize(card(TEST_CARDS.ok, 1_000_001))).toMatchObject({ approved: false });
    });

    it('lets an authorization expire before capture for tok_capture_expired', async () => {
      const provider = simulatedProvider();
      const authorizationId = referenceOf(await provider.authorize(card(TEST_CARDS.expiresBeforeCapture)));
      expect(await provider.capture({ idempotencyKey: 'cap', orderId: 'o-1', authorizationId, amountCents: 2500 })).toEqual({
        approved: false,
        reason: 'the authorization expired',
      });
    });

    it('keeps its own books: no capture of a voided authorization, no void of a captured one, one refund a capture', async () => {
      const provider = simulatedProvider();
      const voided = referenceOf(await provider.authorize(card(TEST_CARDS.ok, 100, 'a1')));
      expect(await provider.void({ idempotencyKey: 'v1', orderId: 'o-1', authorizationId: voided, amountCents: 100 })).toMatchObject({ approved: true });
      expect(await provider.capture({ idempotencyKey: 'c1', orderId: 'o-1', authorizationId: voided, amountCents: 100 })).toMatchObject({ approved: false });

      const kept = referenceOf(await provider.authorize(card(TEST_CARDS.ok, 100, 'a2')));
      expect(await provider.capture({ idempotencyKey: 'c2', orderId: 'o-1', authorizationId: kept, amountCents: 101 })).toMatchObject({ approved: false });
      const captureId = referenceOf(await provider.capture({ idempotencyKey: 'c3', orderId: 'o-1', authorizationId: kept, amountCents: 100 }));
      expect(await provider.void({ idempotencyKey: 'v2', orderId: 'o-1', authorizationId: kept, amountCents: 100 })).toMatchObject({ approved: false });
      expect(await provider.refund({ idempotencyKey: 'r1', orderId: 'o-1', captureId, amountCents: 100, reason: 'x' })).toMatchObject({ approved: true });
      expect(await provider.refund({ idempotencyKey: 'r2', orderId: 'o-1', captureId, amountCents: 100, reason: 'x' })).toEqual({
        approved: false,
        reason: 'the capture was refunded already',
      });
      expect(provider.charges().map((charge) => charge.idempotencyKey)).toEqual(['a1', 'a2', 'c3']);
    });
  });

  describe("voiding by the order's reference (no authorization id)", () => {
    const closed = { approved: false, reason: "the order's payment was voided" };

    it('declines an authorization that lands after it, the hanging one included, and only for that order, also after a restart', async () => {
      const { journal, restarted } = inMemoryJournal();
      const provider = simulatedProvider({ hangMs: 200, journal });
      const hung = provider.authorize(card(TEST_CARDS.hangs));
      expect(await provider.void(voidOrder('o-1'))).toEqual({ approved: true, reference: expect.stringMatching(/^void_/) });

      expect(await hung).toEqual(closed);
      expect(provider.charges()).toEqual([]);
      expect(await provider.authorize({ ...card(TEST_CARDS.ok, 2500, 'a-o-2'), orderId: 'o-2' })).toMatchObject({ approved: true });

      const after = restarted();
      expect(await after.authorize(card(TEST_CARDS.ok, 2500, 'a-after-restart'))).toEqual(closed);
      expect(after.charges().map((charge) => charge.orderId)).toEqual(['o-2']);
    });

    it('voids the authorizations the order already holds, so none is captured, also after a restart', async () => {
      const { journal, restarted } = inMemoryJournal();
      const provider = simulatedProvider({ journal });
      const held = referenceOf(await provider.authorize(card(TEST_CARDS.ok)));
      const other = referenceOf(await provider.authorize({ ...card(TEST_CARDS.ok, 2500, 'a-o-2'), orderId: 'o-2' }));
      expect(await provider.void(voidOrder('o-1'))).toMatchObject({ approved: true });

      const voidedAlready = { approved: false, reason: 'the authorization was voided already' };
      expect(await provider.capture({ idempotencyKey: 'c-1', orderId: 'o-1', authorizationId: held, amountCents: 2500 })).toEqual(voidedAlready);
      expect(await provider.authorize(card(TEST_CARDS.ok, 2500, 'a-again'))).toEqual(closed);

      const after = restarted();
      expect(await after.capture({ idempotencyKey: 'c-2', orderId: 'o-1', authorizationId: held, amountCents: 2500 })).toEqual(voidedAlready);
      expect(await after.authorize(card(TEST_CARDS.ok, 2500, 'a-after-restart'))).toEqual(closed);
      // Another order's authorization is left as it was.
      expect(await after.capture({ idempotencyKey: 'c-3', orderId: 'o-2', authorizationId: other, amountCents: 2500 })).toMatchObject({ approved: true });
    });

    it('refuses when an authorization of the order was captured: that money is refunded, not voided', async () => {
      const provider = simulatedProvider();
      const authorizationId = referenceOf(await provider.authorize(card(TEST_CARDS.ok)));
      await provider.capture({ idempotencyKey: 'c-1', orderId: 'o-1', authorizationId, amountCents: 2500 });
      expect(await provider.void(voidOrder('o-1'))).toEqual({ approved: false, reason: 'an authorization of the order was captured: refund it instead' });
    });
  });

  describe("the books' size", () => {
    const authorizeFor = (provider: ReturnType<typeof simulatedProvider>, orderId: string) =>
      provider.authorize({ ...card(TEST_CARDS.ok, 2500, `a-${orderId}`), orderId });

    it('holds the orders called most recently, and reads an order it let go back from the journal at its next call', async () => {
      const { journal } = inMemoryJournal();
      const provider = simulatedProvider({ journal, keptOrders: 2 });
      const first = referenceOf(await authorizeFor(provider, 'o-1'));
      await authorizeFor(provider, 'o-2');
      await authorizeFor(provider, 'o-3');
      expect(new Set(provider.effects().map((effect) => effect.orderId))).toEqual(new Set(['o-2', 'o-3']));

      expect(await provider.capture({ idempotencyKey: 'c-1', orderId: 'o-1', authorizationId: first, amountCents: 2500 })).toMatchObject({ approved: true });
      // A repeat of the first call answers as it did, from the journal's books.
      expect(await authorizeFor(provider, 'o-1')).toEqual({ approved: true, reference: first });
      expect(
        provider
          .effects()
          .filter((effect) => effect.orderId === 'o-1')
          .map((effect) => effect.operation),
      ).toEqual(['authorize', 'capture']);
    });

    it('keeps every order without a journal: the books are the only record', async () => {
      const provider = simulatedProvider({ keptOrders: 2 });
      for (const orderId of ['o-1', 'o-2', 'o-3']) await authorizeFor(provider, orderId);
      expect(provider.effects().map((effect) => effect.orderId)).toEqual(['o-1', 'o-2', 'o-3']);
    });
  });

  describe('idempotency keys', () => {
    it('answers a repeated key with its first answer, and charges once', async () => {
      const provider = simulatedProvider();
      const first = await provider.authorize(card(TEST_CARDS.ok, 2500, 'k-1'));
      expect(await provider.authorize(card(TEST_CARDS.ok, 2500, 'k-1'))).toEqual(first);
      expect(provider.charges()).toEqual([{ idempotencyKey: 'k-1', operation: 'authorize', orderId: 'o-1', amountCents: 2500, answer: first }]);
      expect(provider.calls()).toHaveLength(2);
    });

    it('keeps a decline for its key too', async () => {
      const provider = simulatedProvider();
      await provider.authorize(card(TEST_CARDS.declined, 2500, 'k-2'));
      expect(await provider.authorize(card(TEST_CARDS.ok, 2500, 'k-2'))).toEqual({ approved: false, reason: 'the card was declined' });
      expect(provider.charges()).toEqual([]);
      expect(provider.effects()).toHaveLength(1);
    });

    it('refuses a key used for another operation', async () => {
      const provider = simulatedProvider();
      const authorizationId = referenceOf(await provider.authorize(card(TEST_CARDS.ok, 2500, 'k-3')));
      await expect(provider.capture({ idempotencyKey: 'k-3', orderId: 'o-1', authorizationId, amountCents: 2500 })).rejects.toThrow(IdempotencyKeyReused);
    });
  });

  describe('faults', () => {
    it('fails the next calls without doing anything, then answers', async () => {
      const provider = simulatedProvider();
      provider.failNext(2);
      await expect(provider.authorize(card(TEST_CARDS.ok))).rejects.toThrow(ProviderUnavailable);
      await expect(provider.authorize(card(TEST_CARDS.ok))).rejects.toThrow(/unavailable/);
      expect(provider.effects()).toEqual([]);
      expect(await provider.authorize(card(TEST_CARDS.ok))).toMatchObject({ approved: true });
      expect(provider.calls()).toHaveLength(3);
    });

    it('fails until it is told to recover', async () => {
      const provider = simulatedProvider();
      provider.failUntilRecovered();
      for (let attempt = 0; attempt < 5; attempt++) await expect(provider.authorize(card(TEST_CARDS.ok))).rejects.toThrow(ProviderUnavailable);
      provider.recover();
      expect(await provider.authorize(card(TEST_CARDS.ok))).toMatchObject({ approved: true });
    });

    it('loses an answer after taking effect: the retry under the same key gets that effect, not another', async () => {
      const provider = simulatedProvider();
      provider.loseAnswers(1);
      await expect(provider.authorize(card(TEST_CARDS.ok, 2500, 'k-lost'))).rejects.toThrow(/answer was lost/);
      expect(provider.charges()).toHaveLength(1);
      expect(await provider.authorize(card(TEST_CARDS.ok, 2500, 'k-lost'))).toEqual(provider.charges()[0]?.answer);
      expect(provider.charges()).toHaveLength(1);
    });

    it('hangs until released, then answers every held call, once per key', async () => {
      const provider = simulatedProvider();
      provider.hang();
      let settled = 0;
      const held = [provider.authorize(card(TEST_CARDS.ok, 2500, 'k-hung')), provider.authorize(card(TEST_CARDS.ok, 2500, 'k-hung'))];
      for (const call of held) void call.then(() => (settled += 1));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(settled).toBe(0);
      expect(provider.effects()).toEqual([]);

      await provider.release();
      const [first, second] = await Promise.all(held);
      expect(second).toEqual(first);
      expect(provider.charges()).toHaveLength(1);
      // Released for good: later calls are answered at once.
      expect(await provider.authorize(card(TEST_CARDS.ok, 1, 'k-after'))).toMatchObject({ approved: true });
    });

    it('holds an authorization with tok_hang for its hangMs, acting only then, while other cards are answered', async () => {
      const provider = simulatedProvider({ hangMs: 500 });
      let settled = false;
      const hung = provider.authorize(card(TEST_CARDS.hangs));
      void hung.then(() => (settled = true));
      expect(await provider.authorize(card(TEST_CARDS.ok))).toMatchObject({ approved: true });
      expect(settled).toBe(false);
      expect(provider.calls().map((call) => call.idempotencyKey)).toContain(`auth-${TEST_CARDS.hangs}-2500`);
      expect(provider.effects().map((effect) => effect.idempotencyKey)).toEqual([`auth-${TEST_CARDS.ok}-2500`]);

      // It lands late, and is an authorization like any other: money held until voided or captured.
      expect(await hung).toMatchObject({ approved: true });
      expect(provider.charges()).toHaveLength(2);
    });

    it('answers after its latency', async () => {
      const provider = simulatedProvider({ latencyMs: 60 });
      const started = performance.now();
      await provider.authorize(card(TEST_CARDS.ok));
      expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    });
  });
});
