// The fixed permission matrix of API.md, and the two guards every command starts with.
import { Forbidden, OrganizationNotFound } from './errors';
import type { Member, Organization } from './organization';

export const ROLES = ['owner', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];
/** The Owner comes only from creating an organization or a transfer, never from an invitation or role change. */
export const INVITABLE_ROLES = ['admin', 'member'] as const;
export type InvitableRole = (typeof INVITABLE_ROLES)[number];

const EVERYONE: readonly Role[] = ['owner', 'admin', 'member'];
const MANAGERS: readonly Role[] = ['owner', 'admin'];
const OWNER: readonly Role[] = ['owner'];

export const PERMISSIONS = {
  'assets:import': EVERYONE,
  'implementations:deploy': EVERYONE,
  'audits:run': EVERYONE,
  'activity-log:view': EVERYONE,
  'stats:view': EVERYONE,
  'portals:manage': EVERYONE,
  'brand-configs:create': EVERYONE,
  'members:manage': MANAGERS,
  'roles:change': MANAGERS,
  'org-settings:modify': MANAGERS,
  'domains:manage': MANAGERS,
  'billing:manage': OWNER,
  'org:delete': OWNER,
  'ownership:transfer': OWNER,
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

export const isRole = (value: unknown): value is Role => ROLES.includes(value as Role);
export const isInvitableRole = (value: unknown): value is InvitableRole =>
  INVITABLE_ROLES.includes(value as InvitableRole);

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

export function permissionsOf(role: Role): Permission[] {
  return (Object.keys(PERMISSIONS) as Permission[]).filter((p) => can(role, p));
}

/** A caller who is not an active member of a live organization learns nothing about it: not found. */
export function requireMembership(state: Organization, userId: string): Member {
  const member = state.status === 'active' ? state.members.get(userId) : undefined;
  if (!member) throw new OrganizationNotFound();
  return member;
}

export function requirePermission(state: Organization, userId: string, permission: Permission): Member {
  const member = requireMembership(state, userId);
  if (!can(member.role, permission)) throw new Forbidden(permission);
  return member;
}

/** The organization's event history (compliance) is open to the Owner and Admins, not to Members. */
export function requireEventHistoryAccess(state: Organization, userId: string): Member {
  const member = requireMembership(state, userId);
  if (member.role === 'member') throw new Forbidden('event history');
  return member;
}
