import { startHarness, type Harness } from '../support/harness';
import { ensureCustomer } from '../support/deal-driver';
import { createUsersWithKeys } from '../../scripts/create-user';
import { roleMatrix, roles, type StepName } from '../../domain/roles';
import type { DealState } from '../../domain/deal-state';

/**
 * Every cell of the role matrix: a user whose only role is allowed gets past the permission check
 * (any status but 401 and 403), and any other gets 403 naming the step and the roles that may take it.
 * The deal belongs to sofia, so owner-only steps are also tried by her and by another sales rep.
 */

let harness: Harness;
let deal: DealState;
const roleKeys = new Map<string, string>();

beforeAll(async () => {
  harness = await startHarness();
  const customerId = await ensureCustomer(harness);
  deal = await harness.apiAs('sofia').post<DealState>('/deals', { customerId, source: 'web', interest: 'lathe' });
  const users = roles.map((role) => ({ key: `only-${role.replace('_', '-')}`, name: `Only ${role}`, email: `${role}@example.com`, roles: [role] }));
  for (const [user, apiKey] of await createUsersWithKeys(harness.db, users)) roleKeys.set(user, apiKey);
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

function requestPath(step: StepName): string {
  switch (step) {
    case 'create lead':
      return '/deals';
    case 'create customer':
      return '/customers';
    case 'inventory receipt':
      return '/inventory/receipts';
    default:
      return `/deals/${deal.dealNumber}/${step.replace(':seq', '1').replace(':invoiceNumber', 'INV-000001')}`;
  }
}

async function postAs(apiKey: string | undefined, step: StepName): Promise<{ status: number; detail?: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  const response = await fetch(`${harness.baseUrl}${requestPath(step)}`, { method: 'POST', headers, body: '{}' });
  const body = (await response.json()) as { detail?: string };
  return { status: response.status, detail: body.detail };
}

const cells = (Object.keys(roleMatrix) as StepName[]).flatMap((step) => roles.map((role) => [step, role] as const));

test.each(cells)('%s as %s', async (step, role) => {
  const reply = await postAs(roleKeys.get(`only-${role.replace('_', '-')}`), step);
  const permission = roleMatrix[step];
  if ((permission.roles as readonly string[]).includes(role)) {
    expect([401, 403]).not.toContain(reply.status);
  } else {
    expect(reply.status).toBe(403);
    expect(reply.detail).toContain(`${step} needs`);
    expect(reply.detail).toContain(permission.roles.join(' or '));
  }
});

const ownerSteps = (Object.keys(roleMatrix) as StepName[]).filter((step) => roleMatrix[step].owner);

test.each(ownerSteps)('%s allowed for owner', async (step) => {
  const reply = await postAs(harness.keys.get('sofia'), step);
  expect([401, 403]).not.toContain(reply.status);
});

test.each(ownerSteps)('%s forbidden for other rep', async (step) => {
  const reply = await postAs(roleKeys.get('only-sales-rep'), step);
  expect(reply.status).toBe(403);
  expect(reply.detail).toContain(`the deal's owner (sofia)`);
});

test('missing key returns 401', async () => {
  const reply = await postAs(undefined, 'qualify');
  expect(reply.status).toBe(401);
  expect(reply.detail).toBe('missing API key: send it as "Authorization: Bearer <key>" or in X-Api-Key');
});

test('wrong key returns 401', async () => {
  const reply = await postAs('o2c_not-a-real-key', 'qualify');
  expect(reply.status).toBe(401);
  expect(reply.detail).toBe('invalid or revoked API key');
});

test('key works in X-Api-Key header', async () => {
  const response = await fetch(`${harness.baseUrl}/deals/${deal.dealNumber}`, { headers: { 'x-api-key': harness.keys.get('quinn')! } });
  expect(response.status).toBe(200);
});

test('health needs no key', async () => {
  const response = await fetch(`${harness.baseUrl}/health`);
  expect(response.status).toBe(200);
});

test('keys are stored only as hashes', async () => {
  const [rows] = await harness.db.sequelize.query('SELECT key_hash, prefix FROM api_keys');
  const stored = JSON.stringify(rows);
  for (const apiKey of harness.keys.values()) expect(stored).not.toContain(apiKey);
});
