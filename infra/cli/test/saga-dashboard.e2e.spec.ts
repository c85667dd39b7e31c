import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page, Response } from 'playwright-core';
import { createEventStore } from '@ordo/eventstore';
import { CONTEXT as SHIPPING, SHIPPING_STREAM_PREFIXES, shipmentStream, shippingEventSchemas } from '@ordo/shipping-contract';
import { eventually } from '@ordo/testing';
import { launchChromium, saveScreenshot, watchPageProblems, type PageProblems } from '@ordo/testing/browser';
import { launchEmbedded, type LaunchedEmbeddedShop } from './launch';
import { shopClient, type ShopClient } from './shop-client';

// The saga dashboard's page in chromium, on the shop as `npm start` runs it, with:
// - a declined card: the instance rolls back (its reservations released, then the order
//   rejected: the compensations in reverse order);
// - a payment provider that hangs (tok_hang, answered after HANG_MS) and a deadline
//   scheduler that is not running (it ticks once an hour), so the second order's instance
//   becomes stuck DEADLINE_MS + 30 s after its authorization was sent; an operator retries it
//   and it completes once payments answers;
// - a dispatch of that order written into shipping's store while the shop was down (as a
//   warehouse import might): orders cannot mark a pending order shipped, so it parks the
//   dispatch at once; once the order is confirmed, a redrive marks it shipped.
// Screenshots: test-artifacts/screenshots/saga-dashboard-{list,instance,instance-retried,dead-letters}.png.

const DEADLINE_MS = 15_000;
const HANG_MS = 60_000;
/** When the API calls an instance stuck: its deadline this far behind (STUCK_AFTER_MS in @ordo/saga). */
const STUCK_AFTER_MS = 30_000;
const VIEWER_TOKEN = `viewer-${randomUUID()}`;
const LINES = [
  { sku: 'MUG-001', quantity: 1 },
  { sku: 'TEE-001', quantity: 1 },
];

const sagaIdOf = (orderId: string) => `orderPlacement-${orderId}`;
const row = (page: Page, orderId: string) => page.locator(`table.instances tr[data-saga-id="${sagaIdOf(orderId)}"]`);
const noProblems: PageProblems = { consoleErrors: [], cspViolations: [], pageErrors: [] };

describe('the saga dashboard in chromium', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-dashboard-'));
  let shop: LaunchedEmbeddedShop;
  let client: ShopClient;
  let browser: Browser;
  let declined: string;
  let hanging: string;
  /** When the hanging order's instance shows stuck: its authorization's deadline plus STUCK_AFTER_MS. */
  let stuckAt: number;

  const operatorGet = async <T>(route: string): Promise<T> => {
    const response = await fetch(`${shop.urls.orders}${route}`, { headers: { authorization: `Bearer ${shop.tokens.operator}` } });
    if (!response.ok) throw new Error(`GET ${route}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const logIn = async (page: Page, token: string): Promise<Response | null> => {
    const response = await page.goto(`${shop.urls.orders}/dashboard`);
    await page.getByLabel('Token').fill(token);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('header.top .who').waitFor();
    return response;
  };

  beforeAll(async () => {
    shop = await launchEmbedded(dataDir, {
      ORDO_ORDER_PLACEMENT_DEADLINE_MS: String(DEADLINE_MS),
      ORDO_SAGA_SCHEDULER_POLL_MS: String(60 * 60_000),
      PAYMENTS_HANG_MS: String(HANG_MS),
      PAYMENTS_PROVIDER_TIMEOUT_MS: String(HANG_MS + 30_000),
      AUTH_TOKENS: `support:${VIEWER_TOKEN}:viewer`,
    });
    client = shopClient(shop.urls, shop.tokens);
    // Payments handles its commands one after another: the declined order goes first, before the hanging one holds them up.
    declined = await client.place(LINES, undefined, 'tok_decline');
    expect((await client.settled(declined)).status).toBe('rejected');
    hanging = await client.place(LINES, undefined, 'tok_hang');
    const dueAt = await eventually(
      async () => {
        const { saga } = await operatorGet<{ saga: { steps: { name: string; commands: { dueAt?: string }[] }[] } }>(
          `/v1/saga-dashboard/instances/${sagaIdOf(hanging)}`,
        ).catch(() => ({ saga: { steps: [] } }));
        return saga.steps.find((step) => step.name === 'authorizePayment')?.commands[0]?.dueAt;
      },
      'the hanging order’s authorization to be sent',
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    stuckAt = Date.parse(dueAt) + STUCK_AFTER_MS;
    await shop.crashAndRestart(async () => {
      const shipping = await createEventStore(`pglite://${path.join(dataDir, 'pglite')}`, {
        schema: SHIPPING,
        streamPrefixes: SHIPPING_STREAM_PREFIXES,
        registry: shippingEventSchemas,
      });
      try {
        const id = randomUUID();
        await shipping.appendToStream(
          shipmentStream(hanging),
          [
            {
              id,
              type: 'ShipmentDispatched',
              data: { orderId: hanging, shipmentId: `imported-${hanging}`, lines: LINES, carrier: 'DHL', at: new Date().toISOString() },
              metadata: { correlationId: id, causationId: id, schemaVersion: 1 },
            },
          ],
          { expectedRevision: 'any' },
        );
      } finally {
        await shipping.close();
      }
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await shop?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** A viewer, in a browser of its own, on the stuck instance: everything but the actions and the dead letters. */
  const checkViewer = async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = await watchPageProblems(page);
    try {
      await logIn(page, VIEWER_TOKEN);
      expect(await page.locator('header.top .who').innerText()).toMatch(/^support\s+viewer$/);
      expect(await page.getByRole('link', { name: 'Dead letters' }).count()).toBe(0);
      await row(page, hanging).locator('a').click();
      await page.locator('.summary .state-stuck').waitFor();
      await page.locator('ol.timeline').waitFor();
      expect(await page.locator('section.actions').count()).toBe(0);
      await page.evaluate("window.location.hash = '#/dead-letters'");
      await page.getByText('Dead letters are shown to operators.').waitFor();
      // A wrong token is refused on the login screen, with the API's reason.
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByLabel('Token').fill('not-a-token');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('alert').filter({ hasText: 'that token is not one this service admits' }).waitFor();
      // That refused login is a 401, which the browser reports on its console; nothing else is there.
      expect(problems).toEqual({ ...noProblems, consoleErrors: [expect.stringMatching(/401 \(Unauthorized\).*\/v1\/saga-dashboard\/session/)] });
    } finally {
      await page.close();
    }
  };

  it('logs an operator in, filters, shows a rollback, a stuck instance live, its retry and a redrive, hides acting from a viewer, with no CSP violation or console error', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = await watchPageProblems(page);

    // `npm start` says where the page is, and that its operator token logs in there.
    const printed = shop.output.join('\n');
    expect(printed).toContain(`Saga dashboard: ${shop.urls.orders}/dashboard (log in with the operator token below)`);
    expect(printed).toMatch(new RegExp(`Operator token \\(the saga dashboard's login;.*\\n\\s+${shop.tokens.operator}\\n`));

    // Logged in with the token the shop made; the page carries the strict CSP.
    const response = await logIn(page, shop.tokens.operator);
    expect(response?.headers()['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(await page.locator('header.top .who').innerText()).toMatch(/^operator\s+operator$/);
    await page.locator('header.top .live.on').waitFor();
    // Marked now: still there at the end, the page was never reloaded.
    await page.evaluate('window.__sameDocument = true');

    // The rolled-back count filters the list to the declined order's instance.
    await row(page, declined).waitFor();
    await page.locator('a.count-rolled-back').click();
    await eventually(async () => (await page.locator('table.instances tbody tr').count()) === 1, 'the list filtered to rolled-back');
    expect(page.url()).toMatch(/#\/\?state=rolled-back$/);
    await expect(row(page, declined).locator('.state').innerText()).resolves.toBe('rolled-back');
    expect(await page.locator('form.filters select[name=state]').inputValue()).toBe('rolled-back');
    // The key filter: the first characters of the order id find it.
    await page.locator('form.filters input[name=key]').fill(declined.slice(0, 8));
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(new RegExp(`key=${declined.slice(0, 8)}`));
    await row(page, declined).waitFor();
    expect(await page.locator('table.instances tbody tr').count()).toBe(1);

    // The instance: the authorization failed, what was done before it compensated, the rest to come.
    await row(page, declined).locator('a').click();
    const steps = page.locator('ol.timeline > li');
    await steps.first().waitFor();
    expect(await steps.evaluateAll((items) => items.map((item) => `${item.getAttribute('data-step')}:${item.getAttribute('data-status')}`))).toEqual([
      'order:compensated',
      'reserveStock:compensated',
      'authorizePayment:failed',
      'scheduleShipment:pending',
      'confirmOrder:pending',
      'capturePayment:pending',
    ]);
    expect(await page.locator('li.step[data-step="authorizePayment"]').innerText()).toContain('PaymentDeclined: the card was declined');
    // The compensations in reverse order of the steps: the reservations released, then the order rejected.
    const compensations = await page.locator('ol.compensations > li').allInnerTexts();
    expect(compensations.map((text) => text.replace(/\s+/g, ' '))).toEqual([
      expect.stringMatching(/^reserveStock: ReleaseStock \((MUG|TEE)-001\) — StockReleased$/),
      expect.stringMatching(/^reserveStock: ReleaseStock \((MUG|TEE)-001\) — StockReleased$/),
      'order: RejectOrder — OrderRejected',
    ]);
    // The history agrees: every event with its ids, the commands in the order sent.
    const events = page.locator('ol.history > li');
    const types = await events.evaluateAll((items) => items.map((item) => item.getAttribute('data-type')));
    expect(types[0]).toBe('SagaStarted');
    expect(types.at(-1)).toBe('SagaRolledBack');
    const issued = (await page.locator('ol.history > li[data-type="CommandIssued"] .gist').allInnerTexts()).map((text) => text.split(' ')[0]);
    expect(issued).toEqual(['ReserveStock', 'ReserveStock', 'AuthorizePayment', 'ReleaseStock', 'ReleaseStock', 'RejectOrder']);
    expect(await events.first().locator('.ids').innerText()).toMatch(/correlation \S+\s+causation \S+\s+trace [0-9a-f]{32}/);
    await events.first().locator('summary').click();
    expect(JSON.parse(await events.first().locator('pre').innerText())).toMatchObject({ saga: 'orderPlacement', key: declined });
    expect(await page.getByRole('link', { name: declined }).getAttribute('href')).toBe(`/v1/orders/${declined}`);
    // A viewer's actions would not show here anyway: a rolled-back instance offers none.
    expect(await page.locator('section.actions').count()).toBe(0);
    await saveScreenshot(page, 'saga-dashboard-instance');

    // The stuck filter, open before the hanging order's instance is stuck: it appears there live.
    await page.locator('a', { hasText: '← Instances' }).click();
    await page.locator('a.count-stuck').click();
    await page.waitForURL(/#\/\?state=stuck$/);
    if (Date.now() > stuckAt - 2_000) throw new Error('the instance became stuck before the page watched for it: the shop started too slowly for this test');
    await page.getByText('No instance matches these filters.').waitFor();
    await row(page, hanging).waitFor({ timeout: stuckAt - Date.now() + 30_000 });
    expect(await row(page, hanging).locator('.state').innerText()).toBe('stuck');
    expect(await row(page, hanging).locator('td').nth(3).innerText()).toBe('authorizePayment');
    expect(Number(await page.locator('a.count-stuck .count-value').innerText())).toBe(1);
    expect(await page.evaluate('window.__sameDocument')).toBe(true);

    // The whole list: both instances, the counts, the throughput of the last hour.
    await page.locator('a.count').first().click();
    await row(page, declined).waitFor();
    await row(page, hanging).waitFor();
    await page.locator('.throughput canvas').waitFor();
    expect(await page.locator('.throughput h2').innerText()).toMatch(/2 started · 0 completed · 1 rolled back · 0 failed/);
    await saveScreenshot(page, 'saga-dashboard-list');
    await checkViewer();

    // Retried with a reason: the history shows who and why, and it completes once payments answers.
    await row(page, hanging).locator('a').click();
    await page.locator('.summary .state-stuck').waitFor();
    expect(await page.locator('li.step[data-step="authorizePayment"]').getAttribute('data-status')).toBe('running');
    expect(await page.locator('li.step[data-step="authorizePayment"] .deadline').innerText()).toMatch(/^due \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(\d+ s ago\)$/);
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.locator('form.act textarea[name=reason]').fill('the payment provider is answering again');
    await page.getByRole('button', { name: 'Retry' }).last().click();
    await page.getByRole('status').filter({ hasText: 'Retry: done.' }).waitFor();
    const retried = page.locator('ol.history > li[data-type="OperatorRetried"]');
    await retried.waitFor();
    expect(await retried.locator('.gist').innerText()).toBe('by operator: the payment provider is answering again');
    expect(await page.locator('table.operator-actions tbody tr').innerText()).toMatch(/^retry\s+operator\s+the payment provider is answering again/);
    // The same command again, one attempt more.
    expect(await page.locator('ol.history > li[data-type="CommandIssued"] .gist').allInnerTexts()).toContain('AuthorizePayment → payments, attempt 2');
    await page.locator('.summary .state-completed').waitFor({ timeout: HANG_MS + 30_000 });
    expect(await steps.evaluateAll((items) => items.map((item) => item.getAttribute('data-status')))).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    await saveScreenshot(page, 'saga-dashboard-instance-retried');

    // The dispatch orders parked while the order was pending; confirmed now, a redrive marks it shipped.
    await eventually(async () => (await client.order(hanging).catch(() => undefined))?.status === 'confirmed', 'the order confirmed');
    await page.getByRole('link', { name: 'Dead letters' }).click();
    const parked = page.locator(`table.parked tr[data-consumer="orders-shipping"][data-key="${shipmentStream(hanging)}"]`);
    await parked.waitFor();
    // The dispatch, and behind it the shipment's scheduling, later on the same key: a parked key holds back the rest of it.
    expect(await parked.locator('td').nth(2).innerText()).toBe('2');
    expect(await parked.locator('.error-text').innerText()).toContain(`order ${hanging} is pending; only a confirmed order is shipped`);
    await saveScreenshot(page, 'saga-dashboard-dead-letters');
    await parked.getByRole('button', { name: 'Redrive' }).click();
    const result = page.locator('ul.results > li').first();
    await result.waitFor();
    expect((await result.innerText()).replace(/\s+/g, ' ')).toBe(
      `orders-shipping ${shipmentStream(hanging)}: applied 2, remaining 0: nothing is parked under it now`,
    );
    await parked.waitFor({ state: 'detached' });
    await eventually(async () => (await client.order(hanging).catch(() => undefined))?.status === 'shipped', 'the order marked shipped');

    // Logged out: the login again.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Token').waitFor();
    expect(problems).toEqual(noProblems);
  }, 180_000);
});
