// Browser tests (the e2e level): playwright-core driving Debian's chromium, which the e2e
// level installs where it is missing (tools/ensure-chromium.mjs). Its own subpath,
// `@ordo/testing/browser`, so that no other test loads playwright-core.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type LaunchOptions, type Page } from 'playwright-core';

const ROOT = path.resolve(__dirname, '../../..');

/** Where saveScreenshot writes: test-artifacts/screenshots at the repository's root (git ignores test-artifacts/). */
export const SCREENSHOTS_DIR = path.join(ROOT, 'test-artifacts', 'screenshots');

/** The chromium binary the tests launch: CHROMIUM_PATH, else Debian's. */
export const chromiumPath = (): string => process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Launches chromium headless, without the sandbox (tests run as root in CI) or the GPU.
 * `options` are playwright's; its `args` come after these. Close the browser in afterAll.
 */
export const launchChromium = async (options: LaunchOptions = {}): Promise<Browser> => {
  const executablePath = chromiumPath();
  if (!fs.existsSync(executablePath)) {
    throw new Error(`no chromium at ${executablePath}: \`npm run test:e2e\` installs Debian's (tools/ensure-chromium.mjs), or set CHROMIUM_PATH to a binary`);
  }
  return chromium.launch({ ...options, executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', ...(options.args ?? [])] });
};

/**
 * Saves the page as `<SCREENSHOTS_DIR>/<name>.png` (the whole page, not only the viewport)
 * and returns the file's path. Characters other than letters, digits, `.`, `_` and `-` in
 * `name` become `-`; a later screenshot of the same name replaces the earlier one.
 */
export const saveScreenshot = async (page: Page, name: string): Promise<string> => {
  const file = path.join(SCREENSHOTS_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  fs.mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
  return file;
};

/** What went wrong in a page, as it happened; a clean page leaves every list empty. */
export interface PageProblems {
  /** Console messages of type error, with where they came from (chromium's own CSP refusals among them). */
  consoleErrors: string[];
  /** Every securitypolicyviolation event: the directive, what it blocked, where. */
  cspViolations: string[];
  /** Exceptions the page's scripts threw and did not catch. */
  pageErrors: string[];
}

const CSP_BINDING = '__ordoCspViolation';
// A string, not a function: the workspace compiles without the DOM's types. It runs in
// every frame before the page's own scripts; a page's CSP does not apply to it.
const REPORT_CSP_VIOLATIONS = `document.addEventListener('securitypolicyviolation', (event) => {
  window.${CSP_BINDING}(event.disposition + ' ' + event.effectiveDirective + ' blocked ' + (event.blockedURI || 'an inline source') + ' at ' + event.sourceFile + ':' + event.lineNumber);
});`;

/**
 * Starts collecting the page's problems; call it before page.goto. The lists fill as the
 * page runs: assert on them after it has done what the test waits for, e.g.
 * `expect(problems).toEqual({ consoleErrors: [], cspViolations: [], pageErrors: [] })`.
 */
export const watchPageProblems = async (page: Page): Promise<PageProblems> => {
  const problems: PageProblems = { consoleErrors: [], cspViolations: [], pageErrors: [] };
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const { url, lineNumber } = message.location();
    problems.consoleErrors.push(url ? `${message.text()} (${url}:${lineNumber})` : message.text());
  });
  page.on('pageerror', (error) => problems.pageErrors.push(error.stack ?? error.message));
  await page.exposeFunction(CSP_BINDING, (violation: string) => void problems.cspViolations.push(violation));
  await page.addInitScript({ content: REPORT_CSP_VIOLATIONS });
  return problems;
};
