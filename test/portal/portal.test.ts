import fs from 'node:fs';
import path from 'node:path';
import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startHarness, type Harness } from '../support/harness';
import { dealInPhase, handleFor, lines } from '../support/deal-driver';
import { pdfText } from '../documents/pdf-text';
import * as wf from '../../workflows/deal';
import type { DealState, EstimateRevision } from '../../domain/deal-state';
import { signPortalToken, verifyPortalToken, type PortalTokenClaims } from '../../api/portal-token';
import { createPortalRouter } from '../../api/portal-routes';
import { describeEstimateStatus, formatMoney, renderEstimatePage, renderMessagePage } from '../../api/portal-pages';

/**
 * The customer portal: token signing and verification, the status shown for each revision state, and
 * the pages driven in headless Chromium (Debian package `chromium`) against a real workflow, database
 * and worker from the test harness.
 */

const SECRET = 'portal-test-secret-with-at-least-32-bytes';
const TIME_ZONE = 'America/New_York';
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = path.join(__dirname, '..', '..', 'test-artifacts', 'portal-estimate.png');
const DAY_MS = 24 * 60 * 60 * 1000;

const claims: PortalTokenClaims = { dealNumber: 1042, estimateNumber: 'EST-000017', revision: 2, expiresAt: Date.UTC(2027, 0, 4) };
const beforeExpiry = claims.expiresAt - 1;

/** Replaces one character of a base64url string by another valid one. */
function flipCharacter(text: string, index: number): string {
  const replacement = text[index] === 'A' ? 'B' : 'A';
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

describe('portal token', () => {
  test('round trip returns the claims', () => {
    const token = signPortalToken(claims, SECRET);

    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyPortalToken(token, SECRET, beforeExpiry)).toEqual({ ok: true, claims });
  });

  test('flipped signature byte is rejected', () => {
    const [payload, signature] = signPortalToken(claims, SECRET).split('.');
    const bytes = Buffer.from(signature, 'base64url');
    bytes[5] ^= 0x01;

    const result = verifyPortalToken(`${payload}.${bytes.toString('base64url')}`, SECRET, beforeExpiry);

    expect(result).toEqual({ ok: false, reason: 'bad-signature' });
  });

  test('changed payload is rejected', () => {
    const [, signature] = signPortalToken(claims, SECRET).split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, dealNumber: 1043 })).toString('base64url');

    expect(verifyPortalToken(`${forged}.${signature}`, SECRET, beforeExpiry)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  test('changed payload character is rejected', () => {
    const [payload, signature] = signPortalToken(claims, SECRET).split('.');

    expect(verifyPortalToken(`${flipCharacter(payload, 10)}.${signature}`, SECRET, beforeExpiry)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  test('other secret is rejected', () => {
    const token = signPortalToken(claims, SECRET);

    expect(verifyPortalToken(token, `${SECRET}-rotated`, beforeExpiry)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  test('expired from expiresAt on', () => {
    const token = signPortalToken(claims, SECRET);

    expect(verifyPortalToken(token, SECRET, claims.expiresAt - 1).ok).toBe(true);
    expect(verifyPortalToken(token, SECRET, claims.expiresAt)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyPortalToken(token, SECRET, claims.expiresAt + DAY_MS)).toEqual({ ok: false, reason: 'expired' });
  });

  test('malformed tokens are rejected', () => {
    const token = signPortalToken(claims, SECRET);
    const [payload, signature] = token.split('.');
    const signedGarbage = Buffer.from('not json').toString('base64url');
    const wrongClaims = Buffer.from(JSON.stringify({ ...claims, revision: 'two' })).toString('base64url');
    const sign = (text: string) => createHmac('sha256', SECRET).update(text).digest('base64url');
    const cases: [string, string][] = [
      ['empty', ''],
      ['no dot', payload],
      ['three parts', `${token}.${signature}`],
      ['empty payload', `.${signature}`],
      ['truncated signature', token.slice(0, -1)],
      ['padded signature', `${token}=`],
      ['standard base64 characters', `${payload}+/.${signature}`],
      ['too long', `${'a'.repeat(2000)}.${signature}`],
      ['signed payload that is not JSON', `${signedGarbage}.${sign(signedGarbage)}`],
      ['signed payload with invalid claims', `${wrongClaims}.${sign(wrongClaims)}`],
    ];

    for (const [name, candidate] of cases) {
      expect({ name, result: verifyPortalToken(candidate, SECRET, beforeExpiry) }).toEqual({ name, result: { ok: false, reason: 'malformed' } });
    }
  });

  test('short secret throws', () => {
    expect(() => signPortalToken(claims, 'short')).toThrow(RangeError);
    expect(() => verifyPortalToken('a.b', 'short', 0)).toThrow(/at least 32 bytes/);
  });

  test('invalid claims are not signed', () => {
    expect(() => signPortalToken({ ...claims, revision: 0 }, SECRET)).toThrow(/revision/);
    expect(() => signPortalToken({ ...claims, dealNumber: 1.5 }, SECRET)).toThrow(/dealNumber/);
  });
});

/** Builds a deal in the estimate phase with the given revisions, for checking the status shown without a workflow. */
function stateWith(revisions: Partial<EstimateRevision>[], overrides: Partial<DealState> = {}): DealState {
  const base: EstimateRevision = {
    revision: 1,
    status: 'sent',
    validForDays: 30,
    lines: [],
    subtotal: '100.00',
    tax: '7.25',
    total: '107.25',
    sentAt: '2026-12-04T15:00:00.000Z',
    validUntil: '2027-01-03',
    expiresAt: '2027-01-04T05:00:00.000Z',
  };
  return {
    dealNumber: 1042,
    phase: 'estimate',
    estimate: { number: 'EST-000017', revisions: revisions.map((revision) => ({ ...base, ...revision })) },
    ...overrides,
  } as DealState;
}

describe('portal estimate status', () => {
  const now = Date.parse('2026-12-10T12:00:00Z');

  test('sent revision is actionable', () => {
    expect(describeEstimateStatus(stateWith([{}]), 1, now, TIME_ZONE)).toEqual({ actionable: true });
  });

  test('approved names the approver', () => {
    const status = describeEstimateStatus(stateWith([{ status: 'approved', acceptedBy: 'Priya Raman', purchaseOrderRef: 'PO-4471' }]), 1, now, TIME_ZONE);

    expect(status.actionable).toBe(false);
    expect(status.notice?.title).toBe('This estimate was approved by Priya Raman');
    expect(status.notice?.detail).toContain('PO-4471');
  });

  test('expired names the last valid day', () => {
    const status = describeEstimateStatus(stateWith([{ status: 'expired' }]), 1, now, TIME_ZONE);

    expect(status.actionable).toBe(false);
    expect(status.notice?.title).toBe('This estimate has expired');
    expect(status.notice?.detail).toContain('valid until 2027-01-03');
  });

  test('sent but past expiry counts as expired', () => {
    const status = describeEstimateStatus(stateWith([{}]), 1, Date.parse('2027-01-04T05:00:00.000Z'), TIME_ZONE);

    expect(status.actionable).toBe(false);
    expect(status.notice?.title).toBe('This estimate has expired');
  });

  test('older revision names the newer one', () => {
    const state = stateWith([{ status: 'superseded' }, { revision: 2, sentAt: '2026-12-08T15:00:00.000Z' }]);
    const status = describeEstimateStatus(state, 1, now, TIME_ZONE);

    expect(status.actionable).toBe(false);
    expect(status.notice?.title).toBe('A newer revision (rev 2) replaces this one');
    expect(status.notice?.detail).toContain('emailed to you on 2026-12-08');
  });

  test('newer draft revision is not yet sent', () => {
    const state = stateWith([{ status: 'superseded' }, { revision: 2, status: 'draft', sentAt: undefined }]);

    expect(describeEstimateStatus(state, 1, now, TIME_ZONE).notice?.detail).toBe('We will email revision 2 to you when it is ready.');
  });

  test('changes requested and void revisions are closed', () => {
    const requested = describeEstimateStatus(stateWith([{ status: 'changes_requested' }]), 1, now, TIME_ZONE);
    const voided = describeEstimateStatus(stateWith([{ status: 'void' }], { phase: 'cancelled' }), 1, now, TIME_ZONE);

    expect(requested).toMatchObject({ actionable: false, notice: { title: 'Changes were requested on this revision' } });
    expect(voided).toMatchObject({ actionable: false, notice: { title: 'This estimate has been withdrawn' } });
  });

  test('sent revision of a lost deal is closed', () => {
    const status = describeEstimateStatus(stateWith([{}], { phase: 'lost', outcome: { phase: 'lost', at: '2026-12-09T00:00:00Z' } }), 1, now, TIME_ZONE);

    expect(status).toMatchObject({ actionable: false, notice: { title: 'This estimate is closed' } });
  });
});

describe('portal pages', () => {
  test('every value is escaped', () => {
    const hostile = '<script>alert(1)</script>';
    const revision = stateWith([
      { lines: [{ lineNo: 1, sku: 'X"1', description: hostile, kind: 'goods', quantity: 1, unitPrice: '1.00', discountPercent: '0', net: '1.00', tax: '0.07' }] },
    ]).estimate!.revisions[0];
    const markup = renderEstimatePage({
      company: { name: 'Smith & <Sons>', email: 'a"b@example.com' },
      customer: { company: hostile, contactName: "O'Brien" },
      estimateNumber: 'EST-000017',
      revision,
      currency: 'USD',
      pdfUrl: '/portal/x"y/pdf',
      alert: { tone: 'error', title: hostile },
      actions: { approveUrl: '/a', requestChangesUrl: '/r', feedback: { form: 'approve', values: { acceptedBy: '"><b>' }, fieldErrors: {} } },
    });

    expect(markup).not.toContain('<script>');
    expect(markup).not.toContain('<b>');
    expect(markup).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(markup).toContain('Smith &amp; &lt;Sons&gt;');
    expect(markup).toContain('O&#39;Brien');
    expect(markup).toContain('href="/portal/x&quot;y/pdf"');
    expect(markup).toContain('value="&quot;&gt;&lt;b&gt;"');
    expect(renderMessagePage({ tone: 'error', title: hostile })).not.toContain('<script>');
  });

  test('money keeps every digit', () => {
    expect(formatMoney('59948.46')).toBe('59,948.46');
    expect(formatMoney('1000000')).toBe('1,000,000');
    expect(formatMoney('999.999')).toBe('999.999');
    expect(formatMoney('-1234.50')).toBe('-1,234.50');
  });
});

describe('customer portal in Chromium', () => {
  let harness: Harness;
  let server: Server;
  let baseUrl: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install it with "apt-get install -y chromium"`);
    harness = await startHarness();
    const app = express();
    app.use(createPortalRouter(harness.deals, harness.db, { secret: SECRET, timeZone: TIME_ZONE }));
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Without userDataDir, Playwright starts Chromium with a new temporary profile and deletes it on close.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    await harness?.close();
  });

  // Each test gets its own browser context (cookies, cache and storage) and its own deal.
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
  });

  afterEach(async () => {
    await context?.close();
  });

  /** Creates a deal and emails revision 1 of its estimate to the customer. */
  async function dealWithSentEstimate(): Promise<DealState> {
    const deal = await dealInPhase(harness, 'estimate');
    return handleFor(harness, deal.dealNumber).executeUpdate(wf.sendEstimate, { args: [{ actor: 'mark' }] });
  }

  function tokenFor(deal: DealState, overrides: Partial<PortalTokenClaims> = {}): string {
    return signPortalToken(
      { dealNumber: deal.dealNumber, estimateNumber: deal.estimate!.number, revision: 1, expiresAt: Date.now() + 7 * DAY_MS, ...overrides },
      SECRET,
    );
  }

  function portalUrl(token: string, action = ''): string {
    return `${baseUrl}/portal/${token}${action}`;
  }

  function stateOf(dealNumber: number): Promise<DealState> {
    return handleFor(harness, dealNumber).query(wf.getDeal);
  }

  /** Posts a form the way a browser would, without following the redirect. */
  function postForm(url: string, fields: Record<string, string>): Promise<globalThis.Response> {
    return fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
      redirect: 'manual',
    });
  }

  /** Runs a browser action that submits a form and returns the status of the POST response. */
  async function submitStatus(action: string, submit: () => Promise<void>): Promise<number> {
    const [response] = await Promise.all([
      page.waitForResponse((candidate) => candidate.request().method() === 'POST' && candidate.url().endsWith(action)),
      submit(),
    ]);
    return response.status();
  }

  /** The parts of a deal that a rejected portal request must leave as they were. */
  function unchangedParts(state: DealState) {
    return { revisions: state.estimate!.revisions.map((revision) => ({ ...revision })), timeline: state.timeline.length, phase: state.phase };
  }

  test('estimate page shows lines and totals', async () => {
    const deal = await dealWithSentEstimate();
    const revision = deal.estimate!.revisions[0];
    const violations: string[] = [];
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) violations.push(message.text());
    });

    const response = await page.goto(portalUrl(tokenFor(deal)));

    expect(response?.status()).toBe(200);
    expect(response?.headers()['cache-control']).toBe('no-store');
    expect(response?.headers()['referrer-policy']).toBe('no-referrer');
    expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(await page.title()).toBe(`Estimate ${deal.estimate!.number} rev 1 · Glocial Machineries`);
    expect(await page.locator('h1').textContent()).toBe(deal.estimate!.number);
    const text = await page.locator('body').innerText();
    expect(text).toContain('Northfield Fabrication Ltd');
    expect(text).toContain('Attn: Priya Raman');
    expect(text).toContain('Revision 1');
    expect(text).toContain(`Valid until ${revision.validUntil}`);

    const rows = await page.locator('tbody tr').allInnerTexts();
    expect(rows).toHaveLength(revision.lines.length);
    revision.lines.forEach((line, index) => {
      expect(rows[index]).toContain(line.sku);
      expect(rows[index]).toContain(line.description);
      expect(rows[index]).toContain(formatMoney(line.net));
    });
    const totals = await page.locator('tfoot').innerText();
    expect(totals).toContain(formatMoney(revision.subtotal));
    expect(totals).toContain('Tax (7.25%)');
    expect(totals).toContain(formatMoney(revision.tax));
    expect(totals).toContain(formatMoney(revision.total));
    expect(await page.getByRole('button', { name: 'Approve estimate' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Request changes' }).count()).toBe(1);

    // The masthead color comes from the inline stylesheet, so it shows that the CSP hash admits it.
    const masthead = await page.locator('header.masthead').evaluate((element) => getComputedStyle(element).backgroundColor);
    expect(masthead).toBe('rgb(23, 50, 77)');
    expect(violations).toEqual([]);

    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  test('PDF link serves the revision', async () => {
    const deal = await dealWithSentEstimate();
    await page.goto(portalUrl(tokenFor(deal)));
    const href = await page.getByRole('link', { name: 'Download PDF' }).getAttribute('href');

    const response = await context.request.get(new URL(href!, baseUrl).toString());
    const pdf = await response.body();

    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('application/pdf');
    expect(response.headers()['content-disposition']).toBe(`inline; filename="${deal.estimate!.number}-rev1.pdf"`);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(pdf);
    expect(text).toContain(deal.estimate!.number);
    expect(text).toContain('Northfield Fabrication Ltd');
    // The PDF prints amounts without thousands separators.
    expect(text).toContain(deal.estimate!.revisions[0].total);
  });

  test('approve records name and PO', async () => {
    const deal = await dealWithSentEstimate();
    const url = portalUrl(tokenFor(deal));
    await page.goto(url);

    await page.getByLabel('Your name').fill('Priya Raman');
    await page.getByLabel('Purchase order number').fill('PO-4471');
    const status = await submitStatus('/approve', () => page.getByRole('button', { name: 'Approve estimate' }).click());
    await page.getByText('This estimate was approved by Priya Raman').waitFor();

    expect(status).toBe(303);
    expect(page.url()).toBe(url);
    expect(await page.locator('[role=status]').innerText()).toContain('PO-4471');
    expect(await page.locator('form').count()).toBe(0);
    const state = await stateOf(deal.dealNumber);
    expect(state.estimate!.revisions[0]).toMatchObject({ status: 'approved', acceptedBy: 'Priya Raman', purchaseOrderRef: 'PO-4471' });
    expect(state.timeline.at(-1)).toMatchObject({ actor: 'customer', event: 'estimate.approved' });

    const again = await postForm(`${url}/approve`, { acceptedBy: 'Someone Else' });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('Your approval was not recorded');
    expect((await stateOf(deal.dealNumber)).estimate!.revisions[0].acceptedBy).toBe('Priya Raman');
  });

  test('request changes adds comment to timeline', async () => {
    const deal = await dealWithSentEstimate();
    const comment = 'Please quote the 24-month warranty & add a second tool kit.';
    await page.goto(portalUrl(tokenFor(deal)));

    await page.getByLabel('Changes you need').fill(comment);
    const status = await submitStatus('/request-changes', () => page.getByRole('button', { name: 'Request changes' }).click());
    await page.getByText('Changes were requested on this revision').waitFor();

    expect(status).toBe(303);
    expect(await page.locator('form').count()).toBe(0);
    const state = await stateOf(deal.dealNumber);
    expect(state.estimate!.revisions[0].status).toBe('changes_requested');
    const entry = state.timeline.find((candidate) => candidate.event === 'estimate.change_requested');
    expect(entry).toMatchObject({ actor: 'customer', summary: `Changes requested on rev 1: ${comment}` });
  });

  test('blank name shows form error', async () => {
    const deal = await dealWithSentEstimate();
    await page.goto(portalUrl(tokenFor(deal)));

    await page.getByLabel('Your name').fill('   ');
    await page.getByLabel('Purchase order number').fill('PO-1');
    const status = await submitStatus('/approve', () => page.getByRole('button', { name: 'Approve estimate' }).click());
    await page.getByText('Enter your name.').waitFor();

    expect(status).toBe(400);
    expect(await page.locator('[role=alert]').innerText()).toContain('Your approval was not recorded');
    expect(await page.getByLabel('Your name').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Purchase order number').inputValue()).toBe('PO-1');
    expect(unchangedParts(await stateOf(deal.dealNumber))).toEqual(unchangedParts(deal));
  });

  test('expired link shows expiry page', async () => {
    const deal = await dealWithSentEstimate();
    const token = tokenFor(deal, { expiresAt: Date.now() - 60_000 });

    const response = await page.goto(portalUrl(token));

    expect(response?.status()).toBe(410);
    expect(await page.locator('[role=alert]').innerText()).toContain('This link has expired');
    expect(await page.locator('form').count()).toBe(0);
    expect(await page.locator('table').count()).toBe(0);
    const approve = await postForm(portalUrl(token, '/approve'), { acceptedBy: 'Priya Raman' });
    const changes = await postForm(portalUrl(token, '/request-changes'), { comment: 'cheaper please' });
    const pdf = await fetch(portalUrl(token, '/pdf'));
    expect([approve.status, changes.status, pdf.status]).toEqual([410, 410, 410]);
    expect(unchangedParts(await stateOf(deal.dealNumber))).toEqual(unchangedParts(deal));
  });

  test('tampered link shows invalid page', async () => {
    const deal = await dealWithSentEstimate();
    const [payload, signature] = tokenFor(deal).split('.');
    const claimsOfLink = JSON.parse(Buffer.from(payload, 'base64url').toString()) as PortalTokenClaims;
    const longer = Buffer.from(JSON.stringify({ ...claimsOfLink, expiresAt: claimsOfLink.expiresAt + 365 * DAY_MS })).toString('base64url');
    const tampered = `${longer}.${signature}`;
    const truncated = `${payload}.${signature.slice(0, 20)}`;

    for (const token of [tampered, truncated]) {
      const response = await page.goto(portalUrl(token));
      expect({ token, status: response?.status() }).toEqual({ token, status: 400 });
      expect(await page.locator('[role=alert]').innerText()).toContain('This link is not valid');
      expect(await page.locator('form').count()).toBe(0);
      const approve = await postForm(portalUrl(token, '/approve'), { acceptedBy: 'Priya Raman' });
      expect({ token, status: approve.status }).toEqual({ token, status: 400 });
    }
    expect(unchangedParts(await stateOf(deal.dealNumber))).toEqual(unchangedParts(deal));
  });

  test('superseded revision names the newer one', async () => {
    const deal = await dealWithSentEstimate();
    const token = tokenFor(deal, { revision: 1 });
    const handle = handleFor(harness, deal.dealNumber);
    await handle.executeUpdate(wf.reviseEstimate, { args: [{ actor: 'mark', lines: lines.revised }] });
    const resent = await handle.executeUpdate(wf.sendEstimate, { args: [{ actor: 'mark' }] });

    const response = await page.goto(portalUrl(token));

    expect(response?.status()).toBe(200);
    expect(await page.locator('[role=status]').innerText()).toContain('A newer revision (rev 2) replaces this one');
    expect(await page.locator('form').count()).toBe(0);
    expect(await page.locator('.meta').innerText()).toContain('Revision 1');

    const approve = await postForm(portalUrl(token, '/approve'), { acceptedBy: 'Priya Raman' });
    const body = await approve.text();
    expect(approve.status).toBe(409);
    expect(body).toContain('Your approval was not recorded');
    expect(body).toContain('the current revision is 2');
    const state = await stateOf(deal.dealNumber);
    expect(state.estimate!.revisions.map((revision) => revision.status)).toEqual(['superseded', 'sent']);
    expect(unchangedParts(state)).toEqual(unchangedParts(resent));
  });

  test('wrong estimate shows not found', async () => {
    const deal = await dealWithSentEstimate();
    const otherEstimate = tokenFor(deal, { estimateNumber: 'EST-999999' });
    const missingRevision = tokenFor(deal, { revision: 7 });
    const missingDeal = tokenFor(deal, { dealNumber: deal.dealNumber + 500_000 });

    for (const token of [otherEstimate, missingRevision, missingDeal]) {
      const response = await page.goto(portalUrl(token));
      expect({ token, status: response?.status() }).toEqual({ token, status: 404 });
      expect(await page.locator('[role=alert]').innerText()).toContain('Estimate not found');
      expect(await page.locator('form').count()).toBe(0);
      const approve = await postForm(portalUrl(token, '/approve'), { acceptedBy: 'Priya Raman' });
      const pdf = await fetch(portalUrl(token, '/pdf'));
      expect({ token, approve: approve.status, pdf: pdf.status }).toEqual({ token, approve: 404, pdf: 404 });
    }
    expect(unchangedParts(await stateOf(deal.dealNumber))).toEqual(unchangedParts(deal));
  });
});
