import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { compileErrors, validate } from '@readme/openapi-parser';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { chromium, type Browser } from 'playwright-core';
import type { z } from 'zod';
import { buildOpenApiDocument, toOpenApiPath, toRequestSchema } from '../../api/openapi';
import { createOpenApiRouter } from '../../api/openapi-routes';
import { stepRoutes } from '../../api/step-routes';
import { roleMatrix, type StepName } from '../../domain/roles';
import type { DealState } from '../../domain/deal-state';
import pino from 'pino';
import { createApp } from '../../api/app';
import { startHarness, TEST_PORTAL_SECRET, type Harness } from '../support/harness';
import { dealInPhase, ensureCustomer } from '../support/deal-driver';
import { isDecimalString } from '../../domain/money';
import { paymentSchema, shipmentSchema } from '../../domain/step-inputs';

/**
 * The OpenAPI document and the Swagger UI page, on a small express app with only the OpenAPI router.
 * The last block checks the real API's responses against the documented schemas on the test harness.
 */

interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  'x-actor'?: string;
  'x-roles'?: string[];
  'x-deal-owner'?: boolean;
  security?: unknown[];
  parameters?: { name?: string; in?: string; $ref?: string }[];
  requestBody?: { content: Record<string, { schema: { $ref: string } }> };
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string }; examples?: Record<string, unknown> }> }>;
}

interface Document {
  openapi: string;
  info: { title: string; version: string };
  servers: { url: string }[];
  security: unknown[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Record<string, unknown>>; securitySchemes: Record<string, unknown> };
}

const document = buildOpenApiDocument() as Document;

/** Returns the component schema a `#/components/schemas/Name` reference points to. */
function component(reference: string): Record<string, unknown> {
  const name = reference.replace('#/components/schemas/', '');
  const schema = document.components.schemas[name];
  if (!schema) throw new Error(`no component schema ${name}`);
  return schema;
}

function requestSchemaOf(operation: Operation): Record<string, unknown> {
  const reference = operation.requestBody?.content['application/json'].schema.$ref;
  if (!reference) throw new Error(`operation ${operation.operationId} has no JSON request body`);
  return component(reference);
}

/** Returns a request schema without its `actor` property, for comparing the rest. */
function withoutActor(schema: Record<string, unknown>): Record<string, unknown> {
  const { actor: _actor, ...properties } = schema.properties as Record<string, unknown>;
  return { ...schema, properties, required: (schema.required as string[]).filter((name) => name !== 'actor') };
}

let server: Server;
let baseUrl: string;

beforeAll(async () => {
  const app = express();
  app.use(createOpenApiRouter());
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe('OpenAPI document', () => {
  test('validates as OpenAPI 3.1', async () => {
    // The parser replaces each $ref of the document it gets in place, so it gets a copy.
    const result = await validate(structuredClone(document) as never);
    if (!result.valid) throw new Error(compileErrors(result));
    expect(result.specification).toBe('OpenAPI');
    expect(result.warnings).toEqual([]);
    expect(document.openapi).toBe('3.1.0');
  });

  test('info and servers', () => {
    expect(document.info.title).toBe('Order-to-cash API');
    expect(document.info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(document.servers).toEqual([{ url: '/' }]);
  });

  test('lists every step route', () => {
    for (const route of stepRoutes) {
      const openApiPath = `/deals/{number}/${toOpenApiPath(route.path).path}`;
      const operation = document.paths[openApiPath]?.post;
      expect({ path: openApiPath, found: operation !== undefined }).toEqual({ path: openApiPath, found: true });

      expect(operation.operationId).toBe(route.update.name);
      expect(operation.summary).not.toBe('');
      expect(operation['x-actor']).toBe(route.actor);
      expect(operation.description).toContain("The actor is the API key's user");
      if (route.actor === 'customer') expect(operation.description).toContain('the literal `customer`');
      expect(operation['x-roles']).toEqual(roleMatrix[route.path as StepName].roles);
      expect(operation['x-deal-owner']).toBe(roleMatrix[route.path as StepName].owner);

      expect(operation.responses['200'].content?.['application/json'].schema.$ref).toBe('#/components/schemas/Deal');
      const problemStatuses = ['400', '401', '403', '404', '409', '415', '422', '429'];
      expect(Object.keys(operation.responses).sort()).toEqual(['200', ...problemStatuses].sort());
      for (const status of problemStatuses) {
        expect(operation.responses[status].content?.['application/problem+json'].schema.$ref).toBe('#/components/schemas/Problem');
      }

      // Only steps that check references get 422 for an unknown user or SKU; every POST gets it for a reused Idempotency-Key.
      const unprocessable = Object.keys(operation.responses['422'].content?.['application/problem+json'].examples ?? {});
      expect(unprocessable).toEqual(route.check ? ['unprocessable', 'idempotency-key-reused'] : ['idempotency-key-reused']);
      expect(operation.parameters).toContainEqual({ $ref: '#/components/parameters/IdempotencyKey' });
    }
  });

  test('step request bodies come from zod', () => {
    for (const route of stepRoutes) {
      const operation = document.paths[`/deals/{number}/${toOpenApiPath(route.path).path}`].post;
      const documented = requestSchemaOf(operation);
      const generated = toRequestSchema(route.schema);

      expect(withoutActor(documented)).toEqual(withoutActor(generated));
      // The API sets `actor` from the API key before it parses the body.
      expect(generated.required).toContain('actor');
      expect(documented.required).not.toContain('actor');
      expect((documented.properties as Record<string, object>).actor).toMatchObject({ type: 'string' });
    }
  });

  test('API key security', () => {
    expect(document.security).toEqual([{ bearerAuth: [] }, { apiKeyHeader: [] }]);
    expect(document.components.securitySchemes).toMatchObject({
      bearerAuth: { type: 'http', scheme: 'bearer' },
      apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
    });
    expect(document.paths['/health'].get.security).toEqual([]);
  });

  test('step path parameters', () => {
    const complete = document.paths['/deals/{number}/follow-ups/{seq}/complete'].post;
    const send = document.paths['/deals/{number}/invoices/{invoiceNumber}/send'].post;

    const idempotencyKey = '#/components/parameters/IdempotencyKey';
    expect(complete.parameters?.map((parameter) => parameter.$ref ?? parameter.name)).toEqual(['#/components/parameters/DealNumber', 'seq', idempotencyKey]);
    expect(send.parameters?.map((parameter) => parameter.$ref ?? parameter.name)).toEqual(['#/components/parameters/DealNumber', 'invoiceNumber', idempotencyKey]);
    expect(Object.keys(document.paths).filter((key) => key.includes(':'))).toEqual([]);
  });

  test.each([
    ['post', '/deals', 'createLead', '201'],
    ['get', '/deals', 'listDeals', '200'],
    ['get', '/deals/{number}', 'getDeal', '200'],
    ['post', '/deals/{number}/payment-notices', 'sendPaymentNotice', '202'],
    ['post', '/customers', 'createCustomer', '201'],
    ['get', '/customers', 'listCustomers', '200'],
    ['get', '/customers/{id}', 'getCustomer', '200'],
    ['get', '/products', 'listProducts', '200'],
    ['get', '/users', 'listUsers', '200'],
    ['post', '/inventory/receipts', 'recordStockReceipt', '201'],
    ['get', '/invoices', 'listInvoices', '200'],
    ['post', '/invoicing/batch', 'invoiceShippedOrders', '200'],
    ['get', '/documents/estimates/{number}/revisions/{revision}', 'getEstimatePdf', '200'],
    ['get', '/documents/orders/{number}', 'getOrderConfirmationPdf', '200'],
    ['get', '/documents/receipts/{number}', 'getSalesReceiptPdf', '200'],
    ['get', '/documents/invoices/{number}', 'getInvoicePdf', '200'],
    ['get', '/documents/payments/{id}', 'getPaymentReceiptPdf', '200'],
    ['get', '/health', 'getHealth', '200'],
  ])('%s %s', (method, openApiPath, operationId, status) => {
    const operation = document.paths[openApiPath]?.[method];
    expect(operation?.operationId).toBe(operationId);
    expect(operation.responses[status]).toBeDefined();
  });

  test('list deals query parameters', () => {
    const parameters = document.paths['/deals'].get.parameters ?? [];
    expect(parameters.map((parameter) => [parameter.name, parameter.in])).toEqual([
      ['phase', 'query'],
      ['q', 'query'],
      ['owner', 'query'],
      ['customerId', 'query'],
      ['after', 'query'],
      ['limit', 'query'],
    ]);
  });

  test('decimal pattern agrees with isDecimalString', () => {
    const amountSchema = (requestSchemaOf(document.paths['/deals/{number}/payments'].post).properties as Record<string, { pattern: string }>).amount;
    const pattern = new RegExp(amountSchema.pattern, 'u');
    for (const value of ['0', '1250.00', '-3.5', '1.', '.5', '1e3', '1,000', ' 1', '1 ', '', '12.345678', '--1', '١٢']) {
      expect({ value, matches: pattern.test(value) }).toEqual({ value, matches: isDecimalString(value) });
    }
  });
});

describe('request schemas', () => {
  const ajv = new Ajv2020({ allErrors: true });
  addFormats(ajv);

  /**
   * Checks that the zod schema and its JSON Schema in the document both accept or both reject a body.
   * The bodies name `actor`, which the API fills in from the API key before zod parses them.
   */
  function expectSameVerdict(schema: z.ZodType, componentName: string, body: unknown, accepted: boolean): void {
    // Ajv caches the compiled function per schema object, so each component compiles once.
    const validateJson = ajv.compile(document.components.schemas[componentName]);
    expect({ body, zod: schema.safeParse(body).success }).toEqual({ body, zod: accepted });
    expect({ body, jsonSchema: validateJson(body) }).toEqual({ body, jsonSchema: accepted });
  }

  const payment = { actor: 'fin', invoiceNumber: 'INV-000001', amount: '30000.00', method: 'wire', reference: 'NF-WIRE-88121' };

  test.each([
    ['30000.00', true],
    ['30000', true],
    ['30,000.00', false],
    ['3e4', false],
    ['USD 30000', false],
    ['30000.', false],
    ['', false],
    [30000, false],
  ])('payment amount %p', (amount, accepted) => {
    expectSameVerdict(paymentSchema, 'RecordPaymentRequest', { ...payment, amount }, accepted);
  });

  test('payment method outside the enum', () => {
    expectSameVerdict(paymentSchema, 'RecordPaymentRequest', { ...payment, method: 'bitcoin' }, false);
  });

  const shipment = { actor: 'dave', carrier: 'DHL Freight', trackingNumber: 'JD0146000' };

  test.each([
    ['all', 'all', true],
    ['one line', [{ lineNo: 1, quantity: 2 }], true],
    ['empty list', [], false],
    ['other string', 'everything', false],
    ['zero quantity', [{ lineNo: 1, quantity: 0 }], false],
    ['fractional quantity', [{ lineNo: 1, quantity: 1.5 }], false],
    ['missing lineNo', [{ quantity: 1 }], false],
    ['missing lines', undefined, false],
  ])('shipment lines: %s', (_case, lines, accepted) => {
    expectSameVerdict(shipmentSchema, 'ShipOrderRequest', { ...shipment, lines }, accepted);
  });
});

describe('served routes', () => {
  test('serves /openapi.json as JSON', async () => {
    const response = await fetch(`${baseUrl}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(document)));
  });

  test('/docs redirects to /docs/', async () => {
    const response = await fetch(`${baseUrl}/docs`, { redirect: 'manual' });
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe('/docs/');
  });

  test('docs page and its assets', async () => {
    const response = await fetch(`${baseUrl}/docs/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await response.text();
    expect(html).toContain('swagger-ui');
    expect(html).not.toMatch(/https?:\/\//);

    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(assets).toEqual(expect.arrayContaining(['./swagger-ui.css', './swagger-ui-bundle.js', './swagger-initializer.js']));
    for (const asset of assets) {
      const assetResponse = await fetch(new URL(asset, `${baseUrl}/docs/`));
      expect({ asset, status: assetResponse.status }).toEqual({ asset, status: 200 });
      const expectedType = asset.endsWith('.css') ? /^text\/css/ : asset.endsWith('.js') ? /javascript/ : /^image\/png/;
      expect({ asset, type: assetResponse.headers.get('content-type') }).toEqual({ asset, type: expect.stringMatching(expectedType) });
      await assetResponse.arrayBuffer();
    }
  });

  test('initializer loads /openapi.json', async () => {
    const script = await (await fetch(`${baseUrl}/docs/swagger-initializer.js`)).text();
    expect(script).toContain("'../openapi.json'");
    expect(script).toContain('validatorUrl: null');
    expect(script).not.toContain('petstore');
  });
});

// Debian's chromium package. Without it these tests are skipped.
const chromiumPath = '/usr/bin/chromium';
const describeInBrowser = existsSync(chromiumPath) ? describe : describe.skip;

describeInBrowser('Swagger UI in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  test('renders every operation offline', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requested: string[] = [];
    const consoleErrors: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));

    await page.goto(`${baseUrl}/docs`);
    await page.locator('.opblock').first().waitFor();

    const operationCount = Object.values(document.paths).reduce((count, methods) => count + Object.keys(methods).length, 0);
    await expect(page.locator('.opblock').count()).resolves.toBe(operationCount);
    await expect(page.locator('.opblock-summary-description', { hasText: 'Record payment' }).count()).resolves.toBe(1);
    await expect(page.locator('.info .title').innerText()).resolves.toContain('Order-to-cash API');
    await expect(page.locator('button.authorize').count()).resolves.toBe(1);

    // Expanding an operation renders its request body from the component schema.
    const payments = page.locator('#operations-Billing-recordPayment');
    await payments.locator('.opblock-summary').first().click();
    await expect(payments.locator('.opblock-body').innerText()).resolves.toContain('"amount"');

    mkdirSync(path.join(__dirname, '..', '..', 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: path.join(__dirname, '..', '..', 'test-artifacts', 'openapi-docs.png'), fullPage: true });

    expect(requested.filter((url) => !url.startsWith(`${baseUrl}/`))).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.close();
  });
});

describe('API responses match the document', () => {
  let harness: Harness;
  // Unknown keywords such as OpenAPI's `discriminator` are ignored here; the OpenAPI parser checks them.
  const responseAjv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(responseAjv);

  beforeAll(async () => {
    harness = await startHarness();
  }, 60_000);

  afterAll(async () => {
    await harness?.close();
  });

  /** Compiles the documented schema of one response, with the component schemas as `$defs`. */
  function responseValidator(method: string, openApiPath: string, status: string): { contentType: string; validate: ValidateFunction } {
    const content = document.paths[openApiPath][method].responses[status].content;
    if (!content) throw new Error(`${method} ${openApiPath} documents no body for ${status}`);
    const [contentType] = Object.keys(content);
    const toDefs = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll('#/components/schemas/', '#/$defs/'));
    const schema = { ...toDefs(content[contentType].schema), $defs: toDefs(document.components.schemas) };
    return { contentType, validate: responseAjv.compile(schema) };
  }

  /** Sends a request as a user and checks its status, content type and body against the document. */
  async function expectDocumented<T>(
    method: 'get' | 'post',
    openApiPath: string,
    url: string,
    status: string,
    options: { user?: string | null; body?: unknown } = {},
  ): Promise<T> {
    const headers: Record<string, string> = options.user === null ? {} : harness.authHeaders(options.user ?? 'admin');
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${harness.baseUrl}${url}`, {
      method: method.toUpperCase(),
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const body = (await response.json()) as T;
    const { contentType, validate: validateBody } = responseValidator(method, openApiPath, status);

    expect({ url, status: String(response.status) }).toEqual({ url, status });
    expect(response.headers.get('content-type')).toContain(contentType);
    validateBody(body);
    expect({ url, errors: validateBody.errors ?? [] }).toEqual({ url, errors: [] });
    return body;
  }

  /** Lists `method path` of every route the app registers, in OpenAPI path syntax. */
  function registeredRoutes(): string[] {
    const app = createApp({ client: harness.client, db: harness.db, taskQueue: harness.taskQueue, settings: harness.settings, logger: pino({ level: 'silent' }), portalSecret: TEST_PORTAL_SECRET });
    interface Layer {
      route?: { path: string; methods: Record<string, boolean> };
      handle?: { stack?: Layer[] };
    }
    const routes: string[] = [];
    const visit = (stack: Layer[]) => {
      for (const layer of stack) {
        if (layer.route) {
          for (const method of Object.keys(layer.route.methods)) routes.push(`${method} ${toOpenApiPath(layer.route.path).path}`);
        } else if (layer.handle?.stack) {
          visit(layer.handle.stack);
        }
      }
    };
    // Express 5 keeps the app's middleware and routers in app.router.stack; every router is mounted at '/'.
    visit((app as unknown as { router: { stack: Layer[] } }).router.stack);
    return routes;
  }

  test('documents every app route', () => {
    const documented = Object.entries(document.paths).flatMap(([openApiPath, methods]) => Object.keys(methods).map((method) => `${method} ${openApiPath}`));
    // The document and its viewer describe the API; they are not part of it.
    // The customer portal serves HTML pages to a browser, not the JSON API, so the document leaves it out.
    const routes = registeredRoutes().filter((route) => !/^get \/(openapi\.json|docs)/.test(route) && !/ \/portal\//.test(route));

    expect(routes.length).toBeGreaterThan(30);
    expect(routes.filter((route) => !documented.includes(route))).toEqual([]);
    expect(documented.filter((route) => !routes.includes(route))).toEqual([]);
  });

  test('deal through payment', async () => {
    const customerId = await ensureCustomer(harness);
    await expectDocumented<DealState>('post', '/deals', '/deals', '201', {
      user: 'sofia',
      body: { customerId, source: 'trade show', interest: 'CNC lathe' },
    });

    const awaitingPayment = await dealInPhase(harness, 'payment');
    const dealNumber = awaitingPayment.dealNumber;
    await expectDocumented('get', '/deals/{number}', `/deals/${dealNumber}`, '200');

    const invoice = awaitingPayment.invoices[0];
    const payment = { invoiceNumber: invoice.number, amount: invoice.balance, method: 'wire', reference: `WIRE-${dealNumber}` };
    const paid = await expectDocumented<DealState>('post', '/deals/{number}/payments', `/deals/${dealNumber}/payments`, '200', {
      user: 'fin',
      body: payment,
    });
    expect(paid.phase).toBe('paid');

    await expectDocumented('post', '/deals/{number}/payments', `/deals/${dealNumber}/payments`, '409', { user: 'fin', body: payment });
    await expectDocumented('get', '/invoices', `/invoices?customerId=${paid.customer?.id}`, '200', { user: 'fin' });
    await expectDocumented('post', '/invoicing/batch', '/invoicing/batch', '200', { user: 'fin', body: { customerId: paid.customer?.id } });

    const pdf = await fetch(`${harness.baseUrl}/documents/invoices/${invoice.number}`, { headers: harness.authHeaders('fin') });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    await pdf.arrayBuffer();
    await expectDocumented('post', '/deals/{number}/payments', `/deals/${dealNumber}/payments`, '400', {
      user: 'fin',
      body: { ...payment, amount: '1,000' },
    });
  });

  test('follow-up on an opportunity', async () => {
    const opportunity = await dealInPhase(harness, 'opportunity');
    const deal = await expectDocumented<DealState>('post', '/deals/{number}/follow-ups', `/deals/${opportunity.dealNumber}/follow-ups`, '200', {
      user: 'sofia',
      body: { channel: 'call', subject: 'Confirm spindle size', dueIn: 'P2D' },
    });
    expect(deal.followUps).toHaveLength(1);
  });

  test('lists and master data', async () => {
    const customerId = await ensureCustomer(harness);
    await dealInPhase(harness, 'lead');

    await expectDocumented('get', '/deals', '/deals?limit=5', '200');
    await expectDocumented('get', '/customers', '/customers', '200');
    await expectDocumented('get', '/customers/{id}', `/customers/${customerId}`, '200');
    await expectDocumented('get', '/products', '/products', '200');
    await expectDocumented('get', '/users', '/users', '200');
    await expectDocumented('get', '/health', '/health', '200', { user: null });
  });

  test('problem responses', async () => {
    await expectDocumented('get', '/deals', '/deals', '401', { user: null });
    await expectDocumented('get', '/deals/{number}', '/deals/999999999', '404');
    await expectDocumented('post', '/deals/{number}/payments', '/deals/999999999/payments', '403', {
      user: 'sofia',
      body: { amount: '1.00', method: 'wire', reference: 'R-1' },
    });
  });
});
