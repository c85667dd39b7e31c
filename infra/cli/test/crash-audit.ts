// What the crash test checks once the shop has settled, read through the services' HTTP
// APIs and (for what no API shows) their own databases. Each check returns the
// violations it found, one line each, so a failing run names every order at fault.
import pg from 'pg';
import type { ShopClient, OrderView, StockView } from './shop-client';

export interface PlacedOrder {
  orderId: string;
  lines: { sku: string; quantity: number }[];
  /** Placed with a card the provider declines (order placement version 2). */
  declinedCard: boolean;
}

export interface SagaView {
  status: string;
  reason?: string;
  /** While failed: where it stopped and why. */
  failed?: { step: string; line?: string; kind: string; reason: string };
}

export interface Settled {
  orders: Map<string, OrderView>;
  sagas: Map<string, SagaView>;
  stock: Map<string, StockView>;
}

/** One row of the simulated payment provider's journal: an answer it gave, once per key. */
export interface JournalEntry {
  operation: 'authorize' | 'capture' | 'void' | 'refund';
  orderId: string;
  approved: boolean;
  /** The authorization a capture or void acted on (none for a void by the order's reference); for an authorization, its own id. */
  authorizationId?: string;
}

const ENDED = new Set(['completed', 'rolled-back']);

const whyOf = ({ failed, reason }: SagaView) =>
  failed ? `${failed.kind} of ${failed.step}${failed.line ? ` (${failed.line})` : ''}: ${failed.reason}` : (reason ?? 'no reason given');

/** Every order confirmed or rejected, and its saga ended the matching way (none running, stuck or failed). */
export const outcomeViolations = (placed: PlacedOrder[], settled: Settled): string[] =>
  placed.flatMap(({ orderId }) => {
    const order = settled.orders.get(orderId);
    const saga = settled.sagas.get(orderId);
    const found: string[] = [];
    if (order?.status !== 'confirmed' && order?.status !== 'rejected') found.push(`order ${orderId} is ${order?.status ?? 'missing'}`);
    if (!saga || !ENDED.has(saga.status)) found.push(`the saga of order ${orderId} is ${saga ? `${saga.status} (${whyOf(saga)})` : 'missing'}`);
    const expected = order?.status === 'confirmed' ? 'completed' : 'rolled-back';
    if (saga && order && ENDED.has(saga.status) && saga.status !== expected) found.push(`order ${orderId} is ${order.status} but its saga ${saga.status}`);
    return found;
  });

/**
 * A confirmed order holds exactly its lines' quantities in inventory's reservations; a
 * rejected one holds nothing; and for every sku, available + reserved + dispatched =
 * added, with reserved the sum of what the confirmed orders hold.
 */
export const stockViolations = (placed: PlacedOrder[], settled: Settled, added: Map<string, number>): string[] => {
  const found: string[] = [];
  const held = (sku: string, orderId: string) => settled.stock.get(sku)?.reservations.find((each) => each.orderId === orderId)?.quantity ?? 0;
  for (const { orderId, lines } of placed) {
    const confirmed = settled.orders.get(orderId)?.status === 'confirmed';
    for (const { sku, quantity } of lines) {
      const holds = held(sku, orderId);
      if (confirmed && holds !== quantity) found.push(`confirmed order ${orderId} holds ${holds} of ${sku}, not ${quantity}`);
      if (!confirmed && holds !== 0) found.push(`rejected order ${orderId} still holds ${holds} of ${sku}`);
    }
  }
  for (const [sku, stockAdded] of added) {
    const stock = settled.stock.get(sku);
    if (!stock) {
      found.push(`no stock read for ${sku}`);
      continue;
    }
    const { available, reserved, dispatched } = stock;
    if (stock.added !== stockAdded) found.push(`${sku}: inventory counts ${stock.added} added, the test added ${stockAdded}`);
    if (available + reserved + dispatched !== stockAdded)
      found.push(`${sku}: ${available} available + ${reserved} reserved + ${dispatched} dispatched != ${stockAdded} added`);
    if (available < 0) found.push(`${sku}: ${available} available`);
    const sumHeld = stock.reservations.reduce((sum, each) => sum + each.quantity, 0);
    if (sumHeld !== reserved) found.push(`${sku}: ${reserved} reserved, but its reservations hold ${sumHeld}`);
  }
  return found;
};

/**
 * Counted at the provider (version 2): a confirmed order has an approved authorization
 * that was captured; a rejected one has no capture, and every approved authorization of
 * it was voided. An order placed with a declined card is never confirmed.
 */
export const paymentViolations = (placed: PlacedOrder[], settled: Settled, journal: JournalEntry[]): string[] => {
  return placed.flatMap(({ orderId, declinedCard }) => {
    const entries = journal.filter((entry) => entry.orderId === orderId);
    const approved = (operation: JournalEntry['operation']) => entries.filter((entry) => entry.approved && entry.operation === operation);
    const authorized = new Set(approved('authorize').map((entry) => entry.authorizationId));
    const voided = new Set(approved('void').map((entry) => entry.authorizationId));
    // A void by the order's reference voided every authorization the order had, and the provider declines any after it.
    const voidedByOrder = voided.has(undefined);
    const captures = approved('capture');
    const found: string[] = [];
    if (settled.orders.get(orderId)?.status === 'confirmed') {
      if (declinedCard) found.push(`order ${orderId} was confirmed with a declined card`);
      if (authorized.size === 0) found.push(`confirmed order ${orderId} has no approved authorization`);
      if (captures.length !== 1) found.push(`confirmed order ${orderId} was captured ${captures.length} times`);
    } else {
      if (captures.length > 0) found.push(`rejected order ${orderId} was captured`);
      for (const authorization of authorized)
        if (!voidedByOrder && !voided.has(authorization)) found.push(`rejected order ${orderId} keeps authorization ${authorization} held (not voided)`);
    }
    return found;
  });
};

// ---- reading ------------------------------------------------------------------------

/** The saga's instance of an order, as the saga service shows it to an operator. */
export const readSaga = async (sagasUrl: string, operatorToken: string, orderId: string): Promise<SagaView | undefined> => {
  const response = await fetch(`${sagasUrl}/v1/sagas/order-placement/${orderId}`, { headers: { authorization: `Bearer ${operatorToken}` } });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`saga of ${orderId}: ${response.status} ${await response.text()}`);
  return (await response.json()) as SagaView;
};

/** How many instances the saga's store holds, and how many were started more than once (in its own database). */
export const countSagaStarts = async (sagasDatabaseUrl: string): Promise<{ instances: number; startedTwice: number }> => {
  const db = new pg.Client({ connectionString: sagasDatabaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ instances: string; started_twice: string }>(
      `select count(*) as instances, count(*) filter (where starts > 1) as started_twice
       from (select stream, count(*) as starts from sagas.events where type = 'SagaStarted' group by stream) as each_instance`,
    );
    return { instances: Number(rows[0]?.instances ?? 0), startedTwice: Number(rows[0]?.started_twice ?? 0) };
  } finally {
    await db.end();
  }
};

/** The simulated provider's journal, in payments' own database. */
export const readProviderJournal = async (paymentsDatabaseUrl: string): Promise<JournalEntry[]> => {
  const db = new pg.Client({ connectionString: paymentsDatabaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{
      operation: JournalEntry['operation'];
      order_id: string;
      answer: { approved: boolean; reference?: string };
      details: { authorizationId?: string };
    }>('select operation, order_id, answer, details from payments.simulated_provider_journal order by seq');
    return rows.map((row) => ({
      operation: row.operation,
      orderId: row.order_id,
      approved: row.answer.approved,
      authorizationId: row.operation === 'authorize' ? row.answer.reference : row.details.authorizationId,
    }));
  } finally {
    await db.end();
  }
};

/** Orders, sagas and stock as they stand, all read over HTTP. */
export const readSettled = async (client: ShopClient, sagasUrl: string, operatorToken: string, placed: PlacedOrder[], skus: string[]): Promise<Settled> => {
  const orders = new Map<string, OrderView>();
  const sagas = new Map<string, SagaView>();
  // Orders and stock come from the views: read once they hold every event the contexts do.
  await client.viewsCaughtUp();
  for (const { orderId } of placed) {
    orders.set(orderId, await client.order(orderId));
    const saga = await readSaga(sagasUrl, operatorToken, orderId);
    if (saga) sagas.set(orderId, saga);
  }
  const stock = new Map<string, StockView>();
  for (const sku of skus) stock.set(sku, await client.stock(sku));
  return { orders, sagas, stock };
};
