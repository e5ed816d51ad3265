import { createHash } from 'node:crypto';
import type { DealState, EstimateRevision } from '../domain/deal-state';
import type { PricedLine } from '../domain/pricing';
import { localDate } from '../domain/dates';

/**
 * Server-rendered HTML of the customer portal. Every value reaches the markup through the `html` tag,
 * which escapes it, so customer and catalogue text cannot inject markup. The pages need no script.
 */

/** Markup that is already escaped, so `html` inserts it unchanged. */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]);
}

type HtmlValue = SafeHtml | string | number | false | null | undefined | HtmlValue[];

function toMarkup(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(toMarkup).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/** Template tag that escapes every interpolated value except SafeHtml. Arrays are joined, and false, null and undefined print nothing. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let markup = strings[0];
  values.forEach((value, index) => {
    markup += toMarkup(value) + strings[index + 1];
  });
  return new SafeHtml(markup);
}

const STYLESHEET = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2933;background:#f3f5f8}
.wrap{max-width:960px;margin:0 auto;padding:0 24px}
.masthead{background:#17324d;color:#fff;padding:18px 0}
.masthead .wrap{display:flex;justify-content:space-between;align-items:baseline;flex-wrap:wrap;gap:8px}
.seller{font-size:20px;font-weight:700;letter-spacing:.2px}
.seller-address{font-size:14px;color:#c8d6e5}
main.wrap{padding-top:28px;padding-bottom:8px}
.sheet{background:#fff;border:1px solid #dde3ea;border-radius:10px;padding:28px;margin-bottom:24px}
.summary{display:flex;justify-content:space-between;gap:24px;flex-wrap:wrap;align-items:flex-start}
.eyebrow{margin:0;text-transform:uppercase;font-size:12px;letter-spacing:1.2px;color:#52606d;font-weight:600}
h1{margin:2px 0 6px;font-size:28px}
h2{font-size:13px;text-transform:uppercase;letter-spacing:1px;color:#52606d;margin:0 0 6px}
h3{margin:0 0 8px;font-size:18px}
.meta{margin:0;color:#52606d}
.total-box{background:#f0f4f8;border-radius:8px;padding:12px 18px;text-align:right;min-width:200px}
.total-box .amount{font-size:24px;font-weight:700;margin:0}
.total-box .label{margin:0;color:#52606d;font-size:14px}
.parties{display:flex;gap:48px;flex-wrap:wrap;margin:24px 0}
.parties p{margin:0}
table{width:100%;border-collapse:collapse;margin-top:8px}
th,td{padding:10px 8px;border-bottom:1px solid #e4e9ef;text-align:left;vertical-align:top}
th{font-size:13px;color:#52606d;font-weight:600;background:#f8fafc}
.num{text-align:right;white-space:nowrap}
.sku{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:14px;white-space:nowrap}
tfoot td{border-bottom:none;padding:6px 8px}
tfoot .grand td{font-weight:700;font-size:18px;border-top:2px solid #1f2933;padding-top:10px}
.pdf{margin:20px 0 0}
a{color:#1c5fa8}
.notice{border-radius:8px;padding:14px 18px;margin:0 0 20px;border:1px solid}
.notice:last-child{margin-bottom:0}
.notice p{margin:0}
.notice .title{font-weight:700}
.notice.success{background:#e8f6ee;border-color:#9fd8b4;color:#14532d}
.notice.info{background:#eaf2fb;border-color:#a9c8ec;color:#123a63}
.notice.warning{background:#fff7e6;border-color:#f5cf85;color:#6b4500}
.notice.error{background:#fdecec;border-color:#f0a8a8;color:#7a1c1c}
.actions{margin-bottom:24px;display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:24px}
.actions form{background:#fff;border:1px solid #dde3ea;border-radius:10px;padding:24px}
.actions p.hint{margin:0 0 14px;color:#52606d;font-size:14px}
label{display:block;font-weight:600;margin:12px 0 4px}
label .optional{font-weight:400;color:#52606d}
input,textarea{width:100%;font:inherit;padding:9px 11px;border:1px solid #b8c2cc;border-radius:6px}
textarea{min-height:104px;resize:vertical}
[aria-invalid=true]{border-color:#c53030}
.field-error{color:#c53030;margin:4px 0 0;font-size:14px}
button{margin-top:16px;font:inherit;font-weight:600;border-radius:6px;padding:10px 18px;cursor:pointer;border:1px solid transparent}
button.primary{background:#1f7a4d;color:#fff}
button.secondary{background:#fff;color:#17324d;border-color:#17324d}
footer.wrap{color:#52606d;font-size:14px;padding-top:8px;padding-bottom:40px}
@media (max-width:640px){th.discount,td.discount,th.sku-col,td.sku{display:none}}
`;

/**
 * Content-Security-Policy of every portal page. It allows only the inline stylesheet above (by its
 * SHA-256 hash) and form posts to the same origin, and forbids framing, so the pages run no script
 * and cannot be embedded.
 */
export const PORTAL_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLESHEET).digest('base64')}'`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Seller named in the page header and footer, from the company settings. */
export interface PortalCompany {
  name: string;
  email: string;
  /** Postal address on one line, such as "4100 Foundry Road, Dayton, OH 45414, US". */
  address?: string;
}

/** Message box shown above the estimate: the estimate's status, or the result of the form just posted. */
export interface PortalNotice {
  tone: 'success' | 'info' | 'warning' | 'error';
  title: string;
  detail?: string;
}

export type PortalFormName = 'approve' | 'request-changes';

/** Values and errors of a posted form that failed validation, shown again in that form. */
export interface PortalFormFeedback {
  form: PortalFormName;
  values: Record<string, string>;
  fieldErrors: Record<string, string>;
}

export interface EstimatePageView {
  company: PortalCompany;
  customer: { company: string; contactName: string };
  estimateNumber: string;
  revision: EstimateRevision;
  currency: string;
  taxRatePercent?: string;
  /** Date the revision was emailed, in the company's time zone. */
  sentOn?: string;
  pdfUrl: string;
  /** Outcome of the form just posted, shown first. */
  alert?: PortalNotice;
  /** Status of the revision, such as approved or superseded. */
  notice?: PortalNotice;
  /** Form targets, absent when the revision cannot be approved or changed now. */
  actions?: { approveUrl: string; requestChangesUrl: string; feedback?: PortalFormFeedback };
}

/** Status of a revision as shown to the customer, and whether the approve and request-changes forms apply. */
export interface EstimateStatus {
  notice?: PortalNotice;
  actionable: boolean;
}

/**
 * Describes the token's revision of a deal's estimate for the customer. Only the latest revision, sent,
 * before its expiry, on a deal still in the estimate phase, is actionable: the workflow rejects
 * decisions on any other revision.
 */
export function describeEstimateStatus(state: DealState, revisionNumber: number, nowMs: number, timeZone: string): EstimateStatus {
  const revisions = state.estimate?.revisions ?? [];
  const latest = revisions[revisions.length - 1];
  const shown = revisions.find((revision) => revision.revision === revisionNumber);
  if (!latest || !shown) {
    return { actionable: false, notice: { tone: 'error', title: 'This estimate revision was not found' } };
  }

  if (latest.status === 'void') {
    return {
      actionable: false,
      notice: { tone: 'warning', title: 'This estimate has been withdrawn', detail: 'It can no longer be approved. Contact us if you have questions.' },
    };
  }
  if (latest.revision !== shown.revision) {
    const detail = latest.sentAt
      ? `Revision ${latest.revision} was emailed to you on ${localDate(Date.parse(latest.sentAt), timeZone)}. Open the link in that email to review it.`
      : `We will email revision ${latest.revision} to you when it is ready.`;
    return { actionable: false, notice: { tone: 'info', title: `A newer revision (rev ${latest.revision}) replaces this one`, detail } };
  }

  switch (shown.status) {
    case 'approved': {
      const reference = shown.purchaseOrderRef ? ` Your purchase order number: ${shown.purchaseOrderRef}.` : '';
      return {
        actionable: false,
        notice: {
          tone: 'success',
          title: `This estimate was approved by ${shown.acceptedBy ?? 'the customer'}`,
          detail: `Thank you.${reference} We will confirm the order by email.`,
        },
      };
    }
    case 'changes_requested':
      return {
        actionable: false,
        notice: { tone: 'info', title: 'Changes were requested on this revision', detail: 'We will email you a revised estimate.' },
      };
    case 'expired':
      return { actionable: false, notice: expiredNotice(shown) };
    case 'draft':
      return { actionable: false, notice: { tone: 'info', title: 'This estimate has not been sent yet' } };
    case 'sent':
      break;
    default:
      return { actionable: false, notice: { tone: 'info', title: `This revision is ${shown.status.replace('_', ' ')}` } };
  }

  if (state.phase !== 'estimate' || state.outcome) {
    return {
      actionable: false,
      notice: { tone: 'warning', title: 'This estimate is closed', detail: 'It can no longer be approved. Contact us if you have questions.' },
    };
  }
  // The workflow's timer marks the revision expired shortly after expiresAt, so a sent revision can already be past it.
  if (shown.expiresAt && nowMs >= Date.parse(shown.expiresAt)) {
    return { actionable: false, notice: expiredNotice(shown) };
  }
  return { actionable: true };
}

function expiredNotice(revision: EstimateRevision): PortalNotice {
  return {
    tone: 'warning',
    title: 'This estimate has expired',
    detail: `It was valid until ${revision.validUntil ?? 'its expiry date'}. Contact us for a new estimate.`,
  };
}

/** Formats a decimal amount string with thousands separators, keeping every digit: "59948.46" becomes "59,948.46". */
export function formatMoney(amount: string): string {
  const negative = amount.startsWith('-');
  const [whole, fraction] = (negative ? amount.slice(1) : amount).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ',');
  return `${negative ? '-' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

function formatPercent(percent: string): string {
  return Number(percent) > 0 ? `${Number(percent)}%` : '—';
}

function page(title: string, company: PortalCompany | undefined, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${title}${company ? ` · ${company.name}` : ''}</title>
<style>${new SafeHtml(STYLESHEET)}</style>
</head>
<body>
<header class="masthead"><div class="wrap">
<span class="seller">${company?.name ?? 'Customer portal'}</span>
${company?.address ? html`<span class="seller-address">${company.address}</span>` : ''}
</div></header>
<main class="wrap">
${body}
</main>
${company ? html`<footer class="wrap">Questions? Email <a href="mailto:${company.email}">${company.email}</a>.</footer>` : ''}
</body>
</html>
`.value;
}

function noticeBox(notice: PortalNotice | undefined, role: 'status' | 'alert'): SafeHtml | string {
  if (!notice) return '';
  return html`<div class="notice ${notice.tone}" role="${role}">
<p class="title">${notice.title}</p>
${notice.detail ? html`<p>${notice.detail}</p>` : ''}
</div>`;
}

function lineRow(line: PricedLine): SafeHtml {
  return html`<tr>
<td class="sku">${line.sku}</td>
<td>${line.description}</td>
<td class="num">${line.quantity}</td>
<td class="num">${formatMoney(line.unitPrice)}</td>
<td class="num discount">${formatPercent(line.discountPercent)}</td>
<td class="num">${formatMoney(line.net)}</td>
</tr>`;
}

/** Input with its label, the value posted before and the validation error, linked for screen readers. */
function field(options: {
  name: string;
  label: string;
  optional?: boolean;
  multiline?: boolean;
  maxLength: number;
  autocomplete?: string;
  feedback?: PortalFormFeedback;
}): SafeHtml {
  const { name, label, feedback } = options;
  const id = `field-${name}`;
  const error = feedback?.fieldErrors[name];
  const value = feedback?.values[name] ?? '';
  const attributes = html`id="${id}" name="${name}" maxlength="${options.maxLength}"${options.optional ? '' : new SafeHtml(' required')}${
    options.autocomplete ? html` autocomplete="${options.autocomplete}"` : ''
  }${error ? html` aria-invalid="true" aria-describedby="${id}-error"` : ''}`;
  const control = options.multiline
    ? html`<textarea ${attributes}>${value}</textarea>`
    : html`<input type="text" ${attributes} value="${value}">`;
  return html`<label for="${id}">${label}${options.optional ? html` <span class="optional">(optional)</span>` : ''}</label>
${control}
${error ? html`<p class="field-error" id="${id}-error">${error}</p>` : ''}`;
}

function actionForms(view: EstimatePageView): SafeHtml | string {
  if (!view.actions) return '';
  const { approveUrl, requestChangesUrl, feedback } = view.actions;
  const revision = view.revision;
  const feedbackFor = (form: PortalFormName) => (feedback?.form === form ? feedback : undefined);
  return html`<section class="actions" aria-label="Your decision">
<form method="post" action="${approveUrl}">
<h3>Approve this estimate</h3>
<p class="hint">You accept revision ${revision.revision} for a total of ${view.currency} ${formatMoney(revision.total)}.</p>
${field({ name: 'acceptedBy', label: 'Your name', maxLength: 200, autocomplete: 'name', feedback: feedbackFor('approve') })}
${field({ name: 'purchaseOrderRef', label: 'Purchase order number', optional: true, maxLength: 100, feedback: feedbackFor('approve') })}
<button type="submit" class="primary">Approve estimate</button>
</form>
<form method="post" action="${requestChangesUrl}">
<h3>Request changes</h3>
<p class="hint">Tell us what to change, and we will send you a revised estimate.</p>
${field({ name: 'comment', label: 'Changes you need', multiline: true, maxLength: 4000, feedback: feedbackFor('request-changes') })}
<button type="submit" class="secondary">Request changes</button>
</form>
</section>`;
}

/** Renders the estimate revision with its lines and totals, its status, and the decision forms when it is actionable. */
export function renderEstimatePage(view: EstimatePageView): string {
  const revision = view.revision;
  const taxLabel = view.taxRatePercent ? `Tax (${Number(view.taxRatePercent)}%)` : 'Tax';
  const dates = [view.sentOn ? `Sent ${view.sentOn}` : '', revision.validUntil ? `Valid until ${revision.validUntil}` : '']
    .filter((part) => part.length > 0)
    .join(' · ');
  const body = html`${noticeBox(view.alert, 'alert')}
<article class="sheet">
<section class="summary">
<div>
<p class="eyebrow">Estimate</p>
<h1>${view.estimateNumber}</h1>
<p class="meta">Revision ${revision.revision}${dates ? ` · ${dates}` : ''}</p>
</div>
<div class="total-box">
<p class="label">Total</p>
<p class="amount">${view.currency} ${formatMoney(revision.total)}</p>
</div>
</section>
<section class="parties">
<div><h2>Prepared for</h2><p>${view.customer.company}</p><p>Attn: ${view.customer.contactName}</p></div>
<div><h2>From</h2><p>${view.company.name}</p><p>${view.company.email}</p></div>
</section>
${noticeBox(view.notice, 'status')}
<table>
<thead><tr>
<th class="sku-col" scope="col">SKU</th>
<th scope="col">Description</th>
<th class="num" scope="col">Qty</th>
<th class="num" scope="col">Unit price</th>
<th class="num discount" scope="col">Discount</th>
<th class="num" scope="col">Net (${view.currency})</th>
</tr></thead>
<tbody>
${revision.lines.map(lineRow)}
</tbody>
<tfoot>
<tr><td colspan="5" class="num">Subtotal</td><td class="num">${formatMoney(revision.subtotal)}</td></tr>
<tr><td colspan="5" class="num">${taxLabel}</td><td class="num">${formatMoney(revision.tax)}</td></tr>
<tr class="grand"><td colspan="5" class="num">Total ${view.currency}</td><td class="num">${formatMoney(revision.total)}</td></tr>
</tfoot>
</table>
<p class="pdf"><a href="${view.pdfUrl}">Download PDF</a> of revision ${revision.revision}</p>
</article>
${actionForms(view)}`;
  return page(`Estimate ${view.estimateNumber} rev ${revision.revision}`, view.company, body);
}

/** Renders a page with one message, for links that are invalid or expired and for failures. */
export function renderMessagePage(notice: PortalNotice, company?: PortalCompany): string {
  return page(notice.title, company, html`<article class="sheet">${noticeBox(notice, 'alert')}</article>`);
}
