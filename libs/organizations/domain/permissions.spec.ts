import { Forbidden, OrganizationNotFound } from './errors';
import {
  can,
  INVITABLE_ROLES,
  isInvitableRole,
  isRole,
  PERMISSIONS,
  type Permission,
  permissionsOf,
  requireMembership,
  requirePermission,
  type Role,
  ROLES,
} from './permissions';
import { deleted, spec, team } from './testing/fixtures';

// The table of API.md ("Roles and permissions"), copied row by row. Do not derive it from PERMISSIONS.
// prettier-ignore
const API_MD_TABLE: Array<[permission: string, owner: 'yes' | 'no', admin: 'yes' | 'no', member: 'yes' | 'no']> = [
  ['assets:import',          'yes', 'yes', 'yes'],
  ['implementations:deploy', 'yes', 'yes', 'yes'],
  ['audits:run',             'yes', 'yes', 'yes'],
  ['activity-log:view',      'yes', 'yes', 'yes'],
  ['stats:view',             'yes', 'yes', 'yes'],
  ['portals:manage',         'yes', 'yes', 'yes'],
  ['brand-configs:create',   'yes', 'yes', 'yes'],
  ['members:manage',         'yes', 'yes', 'no' ],
  ['roles:change',           'yes', 'yes', 'no' ],
  ['org-settings:modify',    'yes', 'yes', 'no' ],
  ['domains:manage',         'yes', 'yes', 'no' ],
  ['billing:manage',         'yes', 'no',  'no' ],
  ['org:delete',             'yes', 'no',  'no' ],
  ['ownership:transfer',     'yes', 'no',  'no' ],
];
const COLUMN: Record<Role, 1 | 2 | 3> = { owner: 1, admin: 2, member: 3 };
const allowedIn = (role: Role) => API_MD_TABLE.filter((row) => row[COLUMN[role]] === 'yes').map(([p]) => p);

describe('permissions', () => {
  it('knows exactly the permissions of API.md, in its order', () => {
    expect(Object.keys(PERMISSIONS)).toEqual(API_MD_TABLE.map(([p]) => p));
  });

  it('has the roles owner, admin, member; only admin and member can be invited or given', () => {
    expect([...ROLES]).toEqual(['owner', 'admin', 'member']);
    expect([...INVITABLE_ROLES]).toEqual(['admin', 'member']);
    expect(['owner', 'admin', 'member'].map(isRole)).toEqual([true, true, true]);
    expect(['Owner', 'bogus', '', null, undefined, 1].map(isRole)).toEqual([false, false, false, false, false, false]);
    expect(['owner', 'admin', 'member', 'bogus'].map(isInvitableRole)).toEqual([false, true, true, false]);
  });

  describe.each(['owner', 'admin', 'member'] as const)('%s', (role) => {
    it.each(API_MD_TABLE)(`%s → owner %s, admin %s, member %s`, (permission, ...cells) => {
      expect(can(role, permission as Permission)).toBe(cells[COLUMN[role] - 1] === 'yes');
    });

    it('lists its permissions (GET /orgs/{orgId}/permissions) in table order', () => {
      expect(permissionsOf(role)).toEqual(allowedIn(role));
    });
  });

  it('gives the member exactly the seven product permissions', () => {
    expect(permissionsOf('member')).toEqual([
      'assets:import',
      'implementations:deploy',
      'audits:run',
      'activity-log:view',
      'stats:view',
      'portals:manage',
      'brand-configs:create',
    ]);
  });

  describe('guards', () => {
    const state = () => spec.given(...team()).state();

    it('requireMembership returns the active member', () => {
      expect(requireMembership(state(), 'mia')).toMatchObject({ userId: 'mia', role: 'member' });
    });

    it('requireMembership: a non-member → OrganizationNotFound', () => {
      expect(() => requireMembership(state(), 'nora')).toThrow(OrganizationNotFound);
    });

    it('requireMembership: a member of a deleted organization → OrganizationNotFound', () => {
      expect(() => requireMembership(spec.given(...team(), deleted()).state(), 'olivia')).toThrow(OrganizationNotFound);
    });

    it('requireMembership: an organization never created → OrganizationNotFound', () => {
      expect(() => requireMembership(spec.given().state(), 'olivia')).toThrow(OrganizationNotFound);
    });

    it('requirePermission: a member lacking the permission → Forbidden naming it', () => {
      expect(() => requirePermission(state(), 'adam', 'billing:manage')).toThrow(Forbidden);
      expect(() => requirePermission(state(), 'adam', 'billing:manage')).toThrow(
        expect.objectContaining({ code: 'forbidden', permission: 'billing:manage' }),
      );
    });

    it('requirePermission: a non-member → OrganizationNotFound, never Forbidden', () => {
      expect(() => requirePermission(state(), 'nora', 'assets:import')).toThrow(OrganizationNotFound);
    });

    it('requirePermission returns the member when allowed', () => {
      expect(requirePermission(state(), 'olivia', 'ownership:transfer')).toMatchObject({ userId: 'olivia' });
    });
  });
});
