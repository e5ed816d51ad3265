/**
 * Permissions of each step. `owner` means the user who owns the deal, whatever their roles; admin may
 * take every step. The API checks this before it sends a step to the workflow.
 */

export const roles = ['sales_rep', 'estimator', 'sales_manager', 'qa', 'delivery', 'finance', 'admin'] as const;
export type Role = (typeof roles)[number];

export interface StepPermission {
  /** Roles that may take the step on any deal. */
  roles: Role[];
  /** Whether the deal's owner may take it too, whatever their roles. */
  owner: boolean;
}

const ownerOrManager: StepPermission = { roles: ['sales_manager', 'admin'], owner: true };
const estimating: StepPermission = { roles: ['estimator', 'sales_manager', 'admin'], owner: false };

/** Step names as the API routes name them, mapped to who may take them. */
export const roleMatrix = {
  'create lead': { roles: ['sales_rep', 'sales_manager', 'admin'], owner: false },
  qualify: ownerOrManager,
  disqualify: ownerOrManager,
  'convert-to-opportunity': ownerOrManager,
  'follow-ups': ownerOrManager,
  'follow-ups/:seq/complete': ownerOrManager,
  'follow-ups/:seq/cancel': ownerOrManager,
  stage: ownerOrManager,
  assign: ownerOrManager,
  lost: ownerOrManager,
  estimate: estimating,
  'estimate/revise': estimating,
  'estimate/send': estimating,
  // A decision the customer gave by phone or email, recorded by staff; customers use the portal.
  'estimate/request-changes': estimating,
  'estimate/approve': estimating,
  order: estimating,
  'qa-inspections': { roles: ['qa', 'admin'], owner: false },
  'pick-release': { roles: ['delivery', 'admin'], owner: false },
  shipments: { roles: ['delivery', 'admin'], owner: false },
  invoices: { roles: ['finance', 'admin'], owner: false },
  'invoices/:invoiceNumber/send': { roles: ['finance', 'admin'], owner: false },
  payments: { roles: ['finance', 'admin'], owner: false },
  'payment-notices': { roles: ['finance', 'admin'], owner: false },
  cancel: { roles: ['sales_manager', 'admin'], owner: false },
  'inventory receipt': { roles: ['delivery', 'admin'], owner: false },
  'create customer': { roles: ['sales_rep', 'sales_manager', 'admin'], owner: false },
} satisfies Record<string, StepPermission>;

export type StepName = keyof typeof roleMatrix;

/** Returns the reason a user may not take a step, or undefined when they may. */
export function checkPermission(step: StepName, user: { key: string; roles: string[] }, dealOwner?: string): string | undefined {
  const permission: StepPermission = roleMatrix[step];
  if (permission.roles.some((role) => user.roles.includes(role))) return undefined;
  if (permission.owner && dealOwner === user.key) return undefined;
  const who = permission.owner ? `the deal's owner${dealOwner ? ` (${dealOwner})` : ''} or role ` : 'role ';
  const userRoles = user.roles.length > 0 ? user.roles.join(', ') : 'no roles';
  return `${step} needs ${who}${permission.roles.join(' or ')}; user ${user.key} has ${userRoles}`;
}
