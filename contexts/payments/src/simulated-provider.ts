// A payment provider in memory, for the shop and for tests: it declines by rule, answers
// after a latency, and can be told to fail or to hang, as a real one does on a bad day.
// Like a real one it applies each idempotency key once and answers a repeat with its
// first answer, and it records what it did, so a test can count the money it moved.
import { setTimeout as sleep } from 'node:timers/promises';
import type { PaymentProvider, ProviderRequest } from './application/provider';
import type { ProviderOperation, ProviderResult } from './domain/payment';

/** Card tokens with a known fate; any other token is approved. */
export const TEST_CARDS = {
  ok: 'tok_ok',
  declined: 'tok_decline',
  insufficientFunds: 'tok_insufficient_funds',
  /** Authorized, but the authorization has expired by the time it is captured. */
  expiresBeforeCapture: 'tok_capture_expired',
} as const;

export interface SimulatedProviderOptions {
  /** Authorizations over this many cents are declined. Default 1,000,000. */
  declineOverCents?: number;
  /** How long each call takes. Default 0. */
  latencyMs?: number;
}

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

interface Authorization {
  cardToken: string;
  amountCents: number;
  status: 'held' | 'captured' | 'voided';
}

const approved = (reference: string): ProviderResult => ({ approved: true, reference });
const declined = (reason: string): ProviderResult => ({ approved: false, reason });

export const simulatedProvider = ({ declineOverCents = 1_000_000, latencyMs = 0 }: SimulatedProviderOptions = {}): SimulatedProvider => {
  const effects = new Map<string, ProviderEffect>();
  const received: ReceivedCall[] = [];
  const authorizations = new Map<string, Authorization>();
  const captures = new Map<string, { amountCents: number; refunded: boolean }>();
  let sequence = 0;
  let failing = 0;
  let losing = 0;
  let gate: { opened: Promise<void>; open: () => void; held: Promise<unknown>[] } | undefined;

  const reference = (prefix: string) => `${prefix}_${String((sequence += 1)).padStart(6, '0')}`;

  const applyOnce = (operation: ProviderOperation, request: ProviderRequest & { amountCents: number }, apply: () => ProviderResult) => {
    const first = effects.get(request.idempotencyKey);
    if (first) {
      if (first.operation !== operation) throw new IdempotencyKeyReused(request.idempotencyKey, first.operation, operation);
      return first.answer;
    }
    const answer = apply();
    const { idempotencyKey, orderId, amountCents } = request;
    effects.set(idempotencyKey, { idempotencyKey, operation, orderId, amountCents, answer });
    return answer;
  };

  const answer = async (operation: ProviderOperation, request: ProviderRequest & { amountCents: number }, apply: () => ProviderResult) => {
    const { idempotencyKey, orderId } = request;
    received.push({ idempotencyKey, operation, orderId });
    const waitFor = gate?.opened;
    if (latencyMs > 0) await sleep(latencyMs);
    if (waitFor) await waitFor;
    if (failing > 0) {
      failing -= 1;
      throw new ProviderUnavailable(`the provider is unavailable (simulated): ${operation} for order ${orderId} was not done`);
    }
    const result = applyOnce(operation, request, apply);
    if (losing > 0) {
      losing -= 1;
      throw new ProviderUnavailable(`the provider's answer was lost (simulated): ${operation} for order ${orderId} was done`);
    }
    return result;
  };

  /** A call made while hanging is held, so that `release()` can wait for it. */
  const call = (operation: ProviderOperation, request: ProviderRequest & { amountCents: number }, apply: () => ProviderResult) => {
    const answered = answer(operation, request, apply);
    gate?.held.push(answered.catch(() => undefined));
    return answered;
  };

  return {
    authorize: (request) =>
      call('authorize', request, () => {
        if (request.amountCents > declineOverCents) return declined(`${request.amountCents} cents is over the limit of ${declineOverCents} cents`);
        if (request.cardToken === TEST_CARDS.declined) return declined('the card was declined');
        if (request.cardToken === TEST_CARDS.insufficientFunds) return declined('insufficient funds');
        const authorizationId = reference('auth');
        authorizations.set(authorizationId, { cardToken: request.cardToken, amountCents: request.amountCents, status: 'held' });
        return approved(authorizationId);
      }),

    capture: (request) =>
      call('capture', request, () => {
        const authorization = authorizations.get(request.authorizationId);
        if (!authorization) return declined(`no authorization ${request.authorizationId}`);
        if (authorization.status !== 'held') return declined(`the authorization was ${authorization.status} already`);
        if (authorization.cardToken === TEST_CARDS.expiresBeforeCapture) return declined('the authorization expired');
        if (request.amountCents > authorization.amountCents)
          return declined(`${request.amountCents} cents is more than the ${authorization.amountCents} authorized`);
        authorization.status = 'captured';
        const captureId = reference('cap');
        captures.set(captureId, { amountCents: request.amountCents, refunded: false });
        return approved(captureId);
      }),

    void: (request) =>
      call('void', request, () => {
        const authorization = authorizations.get(request.authorizationId);
        if (!authorization) return declined(`no authorization ${request.authorizationId}`);
        if (authorization.status === 'captured') return declined('the authorization was captured: refund it instead');
        authorization.status = 'voided';
        return approved(reference('void'));
      }),

    refund: (request) =>
      call('refund', request, () => {
        const captured = captures.get(request.captureId);
        if (!captured) return declined(`no capture ${request.captureId}`);
        if (captured.refunded) return declined('the capture was refunded already');
        if (request.amountCents > captured.amountCents) return declined(`${request.amountCents} cents is more than the ${captured.amountCents} captured`);
        captured.refunded = true;
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
    effects: () => [...effects.values()],
    charges: () => [...effects.values()].filter((effect) => effect.answer.approved && (effect.operation === 'authorize' || effect.operation === 'capture')),
    calls: () => [...received],
  };
};
