// A payment provider for the shop and for tests: it declines by rule, answers after a
// latency, and can be told to fail or to hang, as a real one does on a bad day. Like a
// real one it applies each idempotency key once and answers a repeat with its first
// answer, and it records what it did, so a test can count the money it moved. Its books
// live in memory; given a journal, every answer is written there before it is given, and
// before deciding on an order the books learn what the journal holds of it, so a
// restarted process, or a replica beside it on the same journal, knows the authorizations
// made (a real provider is one, whoever calls it).
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PaymentProvider } from './application/provider';
import type { ProviderOperation, ProviderResult } from './domain/payment';
import type { JournalEntry, ProviderJournal } from './provider-journal';

/** Card tokens with a known fate; any other token is approved. */
export const TEST_CARDS = {
  ok: 'tok_ok',
  declined: 'tok_decline',
  insufficientFunds: 'tok_insufficient_funds',
  /** Authorized, but the authorization has expired by the time it is captured. */
  expiresBeforeCapture: 'tok_capture_expired',
  /** Its authorization is answered only after `hangMs`: a provider that hangs, in a running shop. */
  hangs: 'tok_hang',
} as const;

export interface SimulatedProviderOptions {
  /** Authorizations over this many cents are declined. Default 1,000,000. */
  declineOverCents?: number;
  /** How long each call takes. Default 0. */
  latencyMs?: number;
  /** Where each answer is written before it is given. Default none: the books die with the process. */
  journal?: ProviderJournal;
  /** The answers given before, oldest first (what the journal holds): the books start from them. */
  history?: JournalEntry[];
  /** How long an authorization with the card `tok_hang` takes, on top of `latencyMs`. Default 60,000. */
  hangMs?: number;
  /**
   * With a journal, the books of at most this many orders, those called most recently, are
   * held in memory; an order's are read back from the journal at its next call, as another
   * replica's answers are. Without a journal every order's are kept: they are the only
   * record. Default 1,000: an order's calls come while its saga runs, and a later one (a
   * refund) reads the order back.
   */
  keptOrders?: number;
}

/** The calls `calls()` reports, the most recent kept: a test's handful, not a long run's every one. */
const KEPT_CALLS = 10_000;

/** What the simulated provider throws when told to fail: a transient error, worth retrying. */
export class ProviderUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProviderUnavailable';
  }
}

/** One idempotency key used for two different operations: a caller's bug, which no retry mends. */
export class IdempotencyKeyReused extends Error {
  constructor(key: string, first: ProviderOperation, then: ProviderOperation) {
    super(`idempotency key ${key} was used for ${first}, not ${then}`);
    this.name = 'IdempotencyKeyReused';
  }
}

/** What the provider did under one idempotency key: its first and only answer. */
export interface ProviderEffect {
  idempotencyKey: string;
  operation: ProviderOperation;
  orderId: string;
  amountCents: number;
  answer: ProviderResult;
}

/** A call as it arrived, answered or not. */
export interface ReceivedCall {
  idempotencyKey: string;
  operation: ProviderOperation;
  orderId: string;
}

export interface SimulatedProvider extends PaymentProvider {
  /** The next `calls` calls throw ProviderUnavailable before doing anything. */
  failNext(calls: number): void;
  /** Every call throws ProviderUnavailable until `recover()`. */
  failUntilRecovered(): void;
  /** The next `calls` calls take effect, then throw: the answer is lost on its way back. */
  loseAnswers(calls: number): void;
  /** Ends the failures `failNext`, `failUntilRecovered` and `loseAnswers` set. */
  recover(): void;
  /** Calls from now on wait, unanswered, until `release()`. */
  hang(): void;
  /** Lets the waiting calls go on, and resolves once they have been answered (or have failed). */
  release(): Promise<void>;
  /** Everything it answered, once per idempotency key, declines included. */
  effects(): ProviderEffect[];
  /** The approved authorizations and captures: money held or taken from a card. */
  charges(): ProviderEffect[];
  /** Every call received, repeats and failures included. */
  calls(): ReceivedCall[];
}

/** Where an order's part of the books is, so that it is found, and forgotten, without a search. */
interface OrderBooks {
  /** The idempotency keys of its answers. */
  keys: string[];
  authorizationIds: string[];
  captureIds: string[];
  /** Voided by reference: its payment is closed, so an authorization for it is declined. */
  closed: boolean;
}

interface Authorization {
  cardToken: string;
  amountCents: number;
  status: 'held' | 'captured' | 'voided';
}

/** What a test counts of an entry: no card token, no ids of the request. */
const effectOf = ({ idempotencyKey, operation, orderId, amountCents, answer }: JournalEntry): ProviderEffect => ({
  idempotencyKey,
  operation,
  orderId,
  amountCents,
  answer,
});

const approved = (reference: string): ProviderResult => ({ approved: true, reference });
const declined = (reason: string): ProviderResult => ({ approved: false, reason });

/** Any of the four calls' requests. */
type Call = Parameters<PaymentProvider[ProviderOperation]>[0];

const KEPT_APART = ['idempotencyKey', 'orderId', 'amountCents'];
/** A request's fields beyond its key, order and amount: what the books need to replay it (a card token, the authorization acted on). */
const detailsOf = (request: Call): Record<string, unknown> => Object.fromEntries(Object.entries(request).filter(([field]) => !KEPT_APART.includes(field)));

export const simulatedProvider = ({
  declineOverCents = 1_000_000,
  latencyMs = 0,
  hangMs = 60_000,
  journal,
  history = [],
  keptOrders = 1_000,
}: SimulatedProviderOptions = {}): SimulatedProvider => {
  const effects = new Map<string, JournalEntry>();
  const received: ReceivedCall[] = [];
  const authorizations = new Map<string, Authorization>();
  const captures = new Map<string, { amountCents: number; refunded: boolean }>();
  /** The keys whose answer the journal holds: an answer is given only once it is there. */
  const journaled = new Set<string>();
  /** What the books hold of each order, by order, least recently called first. */
  const orders = new Map<string, OrderBooks>();
  let failing = 0;
  let losing = 0;
  let gate: { opened: Promise<void>; open: () => void; held: Promise<unknown>[] } | undefined;

  const booksOf = (orderId: string): OrderBooks => {
    let books = orders.get(orderId);
    if (!books) orders.set(orderId, (books = { keys: [], authorizationIds: [], captureIds: [], closed: false }));
    return books;
  };
  const authorizationsOf = (orderId: string) => (orders.get(orderId)?.authorizationIds ?? []).flatMap((id) => authorizations.get(id) ?? []);
  const keep = (entry: JournalEntry) => {
    effects.set(entry.idempotencyKey, entry);
    booksOf(entry.orderId).keys.push(entry.idempotencyKey);
  };

  // Random, not counted: replicas on one journal give references at the same time, and none twice.
  const reference = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex')}`;

  /** What an approval changes in the books; a decline changes nothing. */
  const book = ({ operation, orderId, amountCents, details, answer }: JournalEntry) => {
    if (!answer.approved) return;
    const authorization = authorizations.get(String(details.authorizationId));
    switch (operation) {
      case 'authorize':
        authorizations.set(answer.reference, { cardToken: String(details.cardToken), amountCents, status: 'held' });
        booksOf(orderId).authorizationIds.push(answer.reference);
        break;
      case 'capture':
        if (authorization) authorization.status = 'captured';
        captures.set(answer.reference, { amountCents, refunded: false });
        booksOf(orderId).captureIds.push(answer.reference);
        break;
      case 'void':
        if (details.authorizationId === undefined) {
          for (const held of authorizationsOf(orderId)) if (held.status === 'held') held.status = 'voided';
          booksOf(orderId).closed = true;
        } else if (authorization) authorization.status = 'voided';
        break;
      case 'refund': {
        const captured = captures.get(String(details.captureId));
        if (captured) captured.refunded = true;
        break;
      }
    }
  };

  /** Drops what the books hold of an order: its answers, authorizations, captures and closing. */
  const forget = (orderId: string) => {
    const books = orders.get(orderId);
    if (!books) return;
    for (const key of books.keys) {
      effects.delete(key);
      journaled.delete(key);
    }
    for (const id of books.authorizationIds) authorizations.delete(id);
    for (const id of books.captureIds) captures.delete(id);
    orders.delete(orderId);
  };

  /**
   * Marks the order called most recently; with a journal, forgets the order called least
   * recently once more than `keptOrders` are held, so a long run's books do not grow
   * without end (about 2 KB an order).
   */
  const touch = (orderId: string) => {
    const books = booksOf(orderId);
    orders.delete(orderId);
    orders.set(orderId, books);
    if (!journal || orders.size <= keptOrders) return;
    const [oldest] = orders.keys();
    if (oldest !== undefined) forget(oldest);
  };

  /** An answer given before (by this process or another on the journal): kept, and booked. */
  const remember = (entry: JournalEntry) => {
    touch(entry.orderId);
    keep(entry);
    journaled.add(entry.idempotencyKey);
    book(entry);
  };
  for (const entry of history) remember(entry);

  /**
   * What the journal holds of the order that this process has not seen: another replica's
   * answers, in the order they were given. An order's calls come one after another (the
   * saga's steps, its payment's commands on one partition), so they are all there.
   */
  const learn = async (orderId: string) => {
    if (!journal) return;
    for (const entry of await journal.entriesOf(orderId)) if (!effects.has(entry.idempotencyKey)) remember(entry);
  };

  /** The order's books again from the journal alone: another replica answered one of its keys first. */
  const rebook = async (orderId: string) => {
    forget(orderId);
    await learn(orderId);
  };

  /**
   * Writes the answer under its key unless the journal has it; a write that fails fails the
   * call, and a retry writes it. Resolves to the answer the journal keeps under the key.
   */
  const toJournal = async (entry: JournalEntry): Promise<ProviderResult> => {
    if (!journal || journaled.has(entry.idempotencyKey)) return entry.answer;
    const kept = await journal.record(entry);
    if (JSON.stringify(kept.answer) !== JSON.stringify(entry.answer)) {
      await rebook(entry.orderId);
      return kept.answer;
    }
    journaled.add(entry.idempotencyKey);
    return entry.answer;
  };

  const applyOnce = async (operation: ProviderOperation, request: Call, decide: () => ProviderResult) => {
    touch(request.orderId);
    await learn(request.orderId);
    const first = effects.get(request.idempotencyKey);
    if (first) {
      if (first.operation !== operation) throw new IdempotencyKeyReused(request.idempotencyKey, first.operation, operation);
      return toJournal(first);
    }
    // Decided and booked at once, with no wait between: a concurrent call with the key finds the effect.
    const { idempotencyKey, orderId, amountCents } = request;
    const entry: JournalEntry = { idempotencyKey, operation, orderId, amountCents, details: detailsOf(request), answer: decide() };
    keep(entry);
    book(entry);
    return toJournal(entry);
  };

  const answer = async (operation: ProviderOperation, request: Call, decide: () => ProviderResult) => {
    const { idempotencyKey, orderId } = request;
    received.push({ idempotencyKey, operation, orderId });
    if (received.length > KEPT_CALLS) received.shift();
    const waitFor = gate?.opened;
    if (latencyMs > 0) await sleep(latencyMs);
    // The hanging card's authorization acts only once the wait is over: an answer that lands late.
    if ('cardToken' in request && request.cardToken === TEST_CARDS.hangs) await sleep(hangMs);
    if (waitFor) await waitFor;
    if (failing > 0) {
      failing -= 1;
      throw new ProviderUnavailable(`the provider is unavailable (simulated): ${operation} for order ${orderId} was not done`);
    }
    const result = await applyOnce(operation, request, decide);
    if (losing > 0) {
      losing -= 1;
      throw new ProviderUnavailable(`the provider's answer was lost (simulated): ${operation} for order ${orderId} was done`);
    }
    return result;
  };

  /** A call made while hanging is held, so that `release()` can wait for it. */
  const call = (operation: ProviderOperation, request: Call, decide: () => ProviderResult) => {
    const answered = answer(operation, request, decide);
    gate?.held.push(answered.catch(() => undefined));
    return answered;
  };

  // Each rule only decides; `book` applies an approval, live and when the journal is read back.
  return {
    authorize: (request) =>
      call('authorize', request, () => {
        // Decided only now, after any hang: a void by reference that came first declines it.
        if (orders.get(request.orderId)?.closed) return declined("the order's payment was voided");
        if (request.amountCents > declineOverCents) return declined(`${request.amountCents} cents is over the limit of ${declineOverCents} cents`);
        if (request.cardToken === TEST_CARDS.declined) return declined('the card was declined');
        if (request.cardToken === TEST_CARDS.insufficientFunds) return declined('insufficient funds');
        return approved(reference('auth'));
      }),

    capture: (request) =>
      call('capture', request, () => {
        const authorization = authorizations.get(request.authorizationId);
        if (!authorization) return declined(`no authorization ${request.authorizationId}`);
        if (authorization.status !== 'held') return declined(`the authorization was ${authorization.status} already`);
        if (authorization.cardToken === TEST_CARDS.expiresBeforeCapture) return declined('the authorization expired');
        if (request.amountCents > authorization.amountCents)
          return declined(`${request.amountCents} cents is more than the ${authorization.amountCents} authorized`);
        return approved(reference('cap'));
      }),

    void: (request) =>
      call('void', request, () => {
        if (request.authorizationId === undefined) {
          if (authorizationsOf(request.orderId).some((authorization) => authorization.status === 'captured'))
            return declined('an authorization of the order was captured: refund it instead');
          return approved(reference('void'));
        }
        const authorization = authorizations.get(request.authorizationId);
        if (!authorization) return declined(`no authorization ${request.authorizationId}`);
        if (authorization.status === 'captured') return declined('the authorization was captured: refund it instead');
        return approved(reference('void'));
      }),

    refund: (request) =>
      call('refund', request, () => {
        const captured = captures.get(request.captureId);
        if (!captured) return declined(`no capture ${request.captureId}`);
        if (captured.refunded) return declined('the capture was refunded already');
        if (request.amountCents > captured.amountCents) return declined(`${request.amountCents} cents is more than the ${captured.amountCents} captured`);
        return approved(reference('ref'));
      }),

    failNext: (calls) => void (failing = calls),
    failUntilRecovered: () => void (failing = Number.POSITIVE_INFINITY),
    loseAnswers: (calls) => void (losing = calls),
    recover: () => {
      failing = 0;
      losing = 0;
    },
    hang: () => {
      if (gate) return;
      let open!: () => void;
      const opened = new Promise<void>((resolve) => {
        open = resolve;
      });
      gate = { opened, open, held: [] };
    },
    release: async () => {
      const released = gate;
      gate = undefined;
      if (!released) return;
      released.open();
      await Promise.all(released.held);
    },
    effects: () => [...effects.values()].map(effectOf),
    charges: () =>
      [...effects.values()].filter((effect) => effect.answer.approved && (effect.operation === 'authorize' || effect.operation === 'capture')).map(effectOf),
    calls: () => [...received],
  };
};
