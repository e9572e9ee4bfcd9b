// Expires every pending invitation past its time, found in the invitations read model.
import type Database from 'better-sqlite3';
import type { InvitationJobDeps } from '../application/invitation-jobs';

export async function expireDueInvitations(db: Database.Database, deps: Pick<InvitationJobDeps, 'execute'>, now: Date): Promise<number> {
  const due = db
    .prepare<[string], { org_id: string; invitation_id: string }>(
      `SELECT org_id, invitation_id FROM invitation_view WHERE status = 'pending' AND expires_at <= ? LIMIT 1000`,
    )
    .all(now.toISOString());
  for (const row of due) {
    await deps.execute(
      { type: 'ExpireInvitation', orgId: row.org_id, invitationId: row.invitation_id, now },
      { correlationId: 'expiry-sweep', causationId: null },
    );
  }
  return due.length;
}
