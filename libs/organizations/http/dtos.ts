// Request bodies. Types and shapes are checked here; the rules (name length, email form, which roles
// may be given) are the domain's, reused so that a bad field is reported with its name.
import { IsIn, IsNotEmpty, IsString, MaxLength, Validate, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import { isAcceptableEmail } from '../domain/email';
import { INVITABLE_ROLES, type InvitableRole } from '../domain/permissions';
import { MAX_NAME_LENGTH } from '../domain/organization-name';

@ValidatorConstraint({ name: 'email' })
class SingleEmailAddress implements ValidatorConstraintInterface {
  validate = (value: unknown) => typeof value === 'string' && isAcceptableEmail(value);
  defaultMessage = () => 'must be a single email address (no display name, list or line break; at most 254 characters)';
}

@ValidatorConstraint({ name: 'name' })
class TrimmedName implements ValidatorConstraintInterface {
  validate = (value: unknown) => typeof value === 'string' && value.trim().length > 0 && [...value.trim()].length <= MAX_NAME_LENGTH;
  defaultMessage = () => `must be 1 to ${MAX_NAME_LENGTH} characters`;
}

export class OrganizationNameDto {
  @IsString()
  @Validate(TrimmedName)
  name!: string;
}

export class InviteMemberDto {
  @IsString()
  @Validate(SingleEmailAddress)
  email!: string;

  @IsIn(INVITABLE_ROLES, { message: 'must be "admin" or "member"' })
  role!: InvitableRole;
}

export class ChangeRoleDto {
  @IsIn(INVITABLE_ROLES, { message: 'must be "admin" or "member" (ownership moves only by a transfer)' })
  role!: InvitableRole;
}

export class TransferOwnershipDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  newOwnerId!: string;
}

/** The body of a POST that takes none: absent, or an empty object (unknown fields are refused). */
export class EmptyBodyDto {}
