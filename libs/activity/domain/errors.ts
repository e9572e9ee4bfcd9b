// The activity rules' own errors (the organization's errors, such as OrganizationNotFound, Forbidden
// and InvalidInput, are reused from libs/organizations/domain/errors.ts).
import { DomainError } from '../../organizations/domain/errors';

/** A service token names an actor who is not an active member of the organization. (422) */
export class ActorNotMember extends DomainError {
  readonly code = 'actor_not_member';
  constructor(override readonly field: string) {
    super('the actor is not an active member of this organization');
  }
}

/** With a member's token, the caller records only their own activity: an item names another actor. (403) */
export class NotOwnActivity extends DomainError {
  readonly code = 'forbidden';
  constructor(override readonly field: string) {
    super('with a member token, every item is your own activity: actorId must be absent or your own user id');
  }
}
