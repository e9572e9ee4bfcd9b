import { createOrganization, type CreateOrganization } from './create-organization';
import { InvalidInput, OrganizationAlreadyExists } from './errors';
import { created, deleted, NOW, ORG_ID, olivia, specOf, team } from './testing/fixtures';

const spec = specOf(createOrganization);
const create = (name = 'Acme', by = olivia): CreateOrganization => ({
  type: 'CreateOrganization',
  orgId: ORG_ID,
  name,
  by,
  now: NOW,
});

describe('CreateOrganization', () => {
  it('creates the organization with its creator as the one Owner', () => {
    spec
      .given()
      .when(create())
      .then([
        { type: 'OrganizationCreated', data: { orgId: ORG_ID, name: 'Acme', createdBy: 'olivia' } },
        {
          type: 'MemberJoined',
          data: { userId: 'olivia', email: 'olivia@example.com', name: 'Olivia', role: 'owner', invitationId: null },
        },
      ]);
  });

  it('trims the name', () => {
    spec.given().when(create('  Acme Inc  ')).then(created(olivia, 'Acme Inc'));
  });

  it('records a creator without a display name as null', () => {
    const anonymous = { userId: 'u1', email: 'u1@example.com', name: null };
    const [, joinedEvent] = spec.given().when(create('Acme', anonymous)).then(created(anonymous));
    expect(joinedEvent).toMatchObject({ data: { name: null } });
  });

  it.each([
    ['empty', ''],
    ['only spaces', '   '],
    ['101 characters', 'a'.repeat(101)],
  ])('rejects a name that is %s → InvalidInput', (_, name) => {
    spec.given().when(create(name)).thenThrows(InvalidInput);
  });

  it('accepts a name of exactly 100 characters', () => {
    spec.given().when(create('a'.repeat(100))).then(created(olivia, 'a'.repeat(100)));
  });

  it('refuses a second creation under the same id → OrganizationAlreadyExists', () => {
    spec.given(...team()).when(create()).thenThrows(OrganizationAlreadyExists);
  });

  it('refuses to recreate a deleted organization under its id → OrganizationAlreadyExists', () => {
    spec.given(...team(), deleted()).when(create()).thenThrows(OrganizationAlreadyExists);
  });
});
