import { openSqliteEventStore } from '../../platform/event-store/sqlite-event-store';
import { chain, GENESIS_HASH } from '../../platform/event-store/hash-chain';
import { envelope } from '../../platform/event-store/envelope';
import { organizationStream } from '../domain/events';
import { organizationRepository } from './organization-repository';

describe('organization repository', () => {
  it('folds a stream longer than one load page, and later commands continue it', async () => {
    const store = openSqliteEventStore(':memory:');
    const orgId = 'big';
    const now = new Date('2026-01-01T00:00:00.000Z');
    const context = { correlationId: 'test' };
    const domainEvents = [
      { type: 'OrganizationCreated', data: { orgId, name: 'Big', createdBy: 'owner' } },
      { type: 'MemberJoined', data: { userId: 'owner', email: 'owner@example.com', name: null, role: 'owner', invitationId: null } },
      ...Array.from({ length: 12_000 }, (_, i) => ({
        type: 'MemberJoined',
        data: { userId: `u${i}`, email: `u${i}@example.com`, name: null, role: 'member', invitationId: null },
      })),
    ];
    await store.append(organizationStream(orgId), 0, chain(GENESIS_HASH, 0, domainEvents.map((e) => envelope(e, 'owner', now, context))));

    const repository = organizationRepository(store);
    const state = await repository.read(orgId);
    expect(state.members.size).toBe(12_001);
    expect(state.members.get('u11999')?.role).toBe('member');

    // The version and hash chain it folded are the ones a command continues from.
    const outcome = await repository.execute({ type: 'ChangeRole', orgId, userId: 'u5000', role: 'admin', by: 'owner', now }, context);
    expect(outcome.events).toHaveLength(1);
    const [stored] = await store.readStream(organizationStream(orgId), 12_002);
    expect(stored.streamVersion).toBe(12_003);
    const [previous] = await store.readStream(organizationStream(orgId), 12_001, 1);
    expect(stored.metadata.prevHash).toBe(previous.metadata.hash);
    await store.close();
  });
});
