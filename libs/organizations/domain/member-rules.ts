import { MemberNotFound } from './errors';
import type { Member, Organization } from './organization';

/** The target of a member command must be an active member. */
export function requireMember(state: Organization, userId: string): Member {
  const member = state.members.get(userId);
  if (!member) throw new MemberNotFound();
  return member;
}
