// Payments' commands all come from the saga, which waits for an answer: a refusal is an
// answering event, never one of these. These are for what cannot be decided yet.
import type { ProviderCall } from './payment';

/**
 * A rule needs the payment provider's answer, and the command does not carry it (or
 * carries the answer to another call). The handler asks the provider for `call` and
 * decides again with the answer; thrown out of the handler it means "retry".
 */
export class ProviderAnswerNeeded extends Error {
  constructor(readonly call: ProviderCall) {
    super(`the payment of order ${call.orderId} needs the provider's answer to ${call.operation}`);
    this.name = 'ProviderAnswerNeeded';
  }
}
