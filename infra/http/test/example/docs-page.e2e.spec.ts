import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { testScope } from '@ordo/testing';
import { launchChromium, saveScreenshot, watchPageProblems } from '@ordo/testing/browser';
import { exampleEnv, startExample, type ExampleProcess } from './process';

const scope = testScope();

// /docs in a real browser: swagger-ui's scripts fetch the OpenAPI document and render it
// under the Content-Security-Policy the service sends, as an operator's browser would.
// (Inside jest the UI is a stub; the example service runs as a process and serves the real one.)
describe('the docs page in chromium', () => {
  let service: ExampleProcess;
  let browser: Browser;

  beforeAll(async () => {
    await scope.db();
    service = await startExample(exampleEnv(scope.env.databaseUrl, scope.schema));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  it('renders the API’s title and routes from its document, under its CSP, with no violation or console error', async () => {
    const page = await browser.newPage();
    const problems = await watchPageProblems(page);

    const response = await page.goto(`${service.url}/docs`);
    expect(response?.status()).toBe(200);
    // Not vacuous: scripts from the service itself only, no inline script or style but by its hash.
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toMatch(/(^|;\s*)script-src 'self'\s*;/);
    expect(csp).not.toContain('unsafe-inline');

    // Rendered from /docs/json: the title and the version come from the service's api description.
    const title = page.locator('.swagger-ui .info .title');
    await title.waitFor({ timeout: 30_000 });
    expect(await title.textContent()).toMatch(/^Notes \(example\)\s*1\.0\.0/);
    const paths = await page.locator('.opblock-summary-path').allTextContents();
    expect(paths.map((text) => text.replace(/\u200b/g, ''))).toEqual(expect.arrayContaining(['/v1/notes', '/v1/notes/{id}']));
    await page.waitForLoadState('networkidle');

    const screenshot = await saveScreenshot(page, 'http-docs-page');
    expect(fs.readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG');
    expect(problems).toEqual({ consoleErrors: [], cspViolations: [], pageErrors: [] });
  });
});
