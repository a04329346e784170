import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import type { EventOutcome } from '../../src/contract';
import { deliverLikeHasura, hasuraEventBody } from '../helpers/hasura';
import { startStack, TEST_SECRET, type Stack } from '../helpers/stack';
import { testTemporalAddress } from '../helpers/temporal';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];
const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-results', 'web-ui');
const DOCS_SCREENSHOT = path.resolve(__dirname, '..', '..', 'docs', 'web-ui.png');

let stack: Stack;
let connection: Connection;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium; .ci/run does) or set CHROMIUM_PATH`,
    );
  }
  if (!process.env.TEST_TEMPORAL_UI_URL)
    throw new Error('TEST_TEMPORAL_UI_URL is unset: the jest global setup starts the dev server with its Web UI');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  stack = await startStack();
  connection = await Connection.connect({ address: testTemporalAddress() });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await connection?.close();
  await stack?.close();
});

/** Delivers one event like Hasura and waits for the incident it became. */
async function deliverUntilIncident(): Promise<{ eventId: string; workflowId: string; incident: string }> {
  const body = hasuraEventBody();
  const delivery = await deliverLikeHasura(body, { url: stack.webhookUrl, secret: TEST_SECRET });
  expect(delivery.delivered).toBe(true);
  const { workflowId } = delivery.attempts.at(-1)!.body as { workflowId: string };
  const outcome: EventOutcome = await new Client({ connection }).workflow.getHandle(workflowId).result();
  if (outcome.status !== 'created') throw new Error(`expected an incident, got ${JSON.stringify(outcome)}`);
  return { eventId: String(body.id), workflowId, incident: outcome.ticket.number };
}

/** Visibility is eventually consistent: reload until the row shows up (bounded). */
async function waitWithReloads(page: Page, locator: Locator, what: string): Promise<void> {
  for (let attempt = 1; attempt <= 6; attempt++) {
    try {
      return await locator.waitFor({ state: 'visible', timeout: 5_000 });
    } catch {
      await page.reload();
    }
  }
  throw new Error(`the Web UI never showed ${what}`);
}

async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

test('when an event became an incident, then the Web UI lists its workflow, finds it by HasuraEventId and shows the incident number in the result', async () => {
  const ours = await deliverUntilIncident();
  const other = await deliverUntilIncident();
  const ui = process.env.TEST_TEMPORAL_UI_URL!;
  const context = await browser.newContext({
    viewport: { width: 1400, height: 900 },
    timezoneId: 'UTC',
    locale: 'en-US',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const workflowLink = (workflowId: string) => page.getByRole('link', { name: workflowId, exact: true });
  try {
    // This stack's queue only: other suites share the dev server, and their newer workflows would push ours off
    // the list's first page.
    const ownQueue = encodeURIComponent(`TaskQueue="${stack.taskQueue}"`);
    await page.goto(`${ui}/namespaces/default/workflows?query=${ownQueue}`);
    await waitWithReloads(page, workflowLink(ours.workflowId), `${ours.workflowId} in the workflow list`);
    await workflowLink(other.workflowId).waitFor();
    await screenshot(page, 'workflow-list');

    await page.getByTestId('toggle-manual-query').click();
    await page.getByPlaceholder('Enter a query').fill(`HasuraEventId="${ours.eventId}"`);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await workflowLink(other.workflowId).waitFor({ state: 'detached' });
    await workflowLink(ours.workflowId).waitFor();
    expect(decodeURIComponent(page.url())).toContain(`HasuraEventId="${ours.eventId}"`);
    await screenshot(page, 'workflow-list-filtered');

    await workflowLink(ours.workflowId).click();
    const result = page.getByRole('textbox', { name: 'Result' });
    await result.getByText(`"${ours.incident}"`).waitFor();
    expect(await result.innerText()).toMatch(new RegExp(`"number":\\s*"${ours.incident}"`));
    const file = await screenshot(page, 'workflow-result');
    if (process.env.UPDATE_SCREENSHOT === '1') copyFileSync(file, DOCS_SCREENSHOT);
  } catch (error) {
    await screenshot(page, 'failure').catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
}, 60_000);
