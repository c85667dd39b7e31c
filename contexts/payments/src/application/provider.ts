// The payment provider as payments sees it: four calls, each made idempotent by the key
// it is given (the command's id), so a command retried after a crash between the call
// and the append moves money once. A decline is an answer; a throw means "ask again".
import type { ProviderAnswer, ProviderCall, ProviderResult } from '../domain/payment';

export interface ProviderRequest {
  /** The same key is the same effect: the provider answers a repeat with its first answer. */
  idempotencyKey: string;
  orderId: string;
}

export interface PaymentProvider {
  authorize(request: ProviderRequest & { amountCents: number; currency: string; cardToken: string }): Promise<ProviderResult>;
  capture(request: ProviderRequest & { authorizationId: string; amountCents: number }): Promise<ProviderResult>;
  /**
   * Without `authorizationId`, a void by our reference (the order id), for an authorization
   * whose answer never reached us: every authorization of the order is voided, and any that
   * arrives for it later is declined.
   */
  void(request: ProviderRequest & { authorizationId?: string; amountCents: number }): Promise<ProviderResult>;
  refund(request: ProviderRequest & { captureId: string; amountCents: number; reason: string }): Promise<ProviderResult>;
}

/** How long a call may take before it counts as failed, unless configured. */
export const DEFAULT_PROVIDER_TIMEOUT_MS = 5_000;

/** The provider did not answer in time; it may still act on the call, which the same key makes harmless. */
export class ProviderTimeout extends Error {
  constructor(
    readonly call: ProviderCall,
    readonly timeoutMs: number,
  ) {
    super(`the payment provider did not answer ${call.operation} for order ${call.orderId} within ${timeoutMs} ms`);
    this.name = 'ProviderTimeout';
  }
}

const send = (provider: PaymentProvider, call: ProviderCall, idempotencyKey: string): Promise<ProviderResult> => {
  switch (call.operation) {
    case 'authorize': {
      const { orderId, amountCents, currency, cardToken } = call;
      return provider.authorize({ idempotencyKey, orderId, amountCents, currency, cardToken });
    }
    case 'capture': {
      const { orderId, authorizationId, amountCents } = call;
      return provider.capture({ idempotencyKey, orderId, authorizationId, amountCents });
    }
    case 'void': {
      const { orderId, authorizationId, amountCents } = call;
      return provider.void({ idempotencyKey, orderId, ...(authorizationId === undefined ? {} : { authorizationId }), amountCents });
    }
    case 'refund': {
      const { orderId, captureId, amountCents, reason } = call;
      return provider.refund({ idempotencyKey, orderId, captureId, amountCents, reason });
    }
    default: {
      const unknown: never = call;
      throw new Error(`unknown provider call ${JSON.stringify(unknown)}`);
    }
  }
};

/**
 * Makes the call under `idempotencyKey`, and gives up after `timeoutMs` with a
 * ProviderTimeout, so a provider that hangs fails the command (the bus retries it with
 * the same id) instead of holding its consumer for good.
 */
export const askProvider = async (provider: PaymentProvider, call: ProviderCall, idempotencyKey: string, timeoutMs: number): Promise<ProviderAnswer> => {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProviderTimeout(call, timeoutMs)), timeoutMs);
  });
  try {
    const result = await Promise.race([send(provider, call, idempotencyKey), timedOut]);
    return { operation: call.operation, ...result };
  } finally {
    clearTimeout(timer);
  }
};
