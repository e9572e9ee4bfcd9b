// Request bodies. Types and shapes are checked here; the rules (name length, email form, which roles
// may be given) are the domain's, reused so that a bad field is reported with its name.
import { ApiProperty, ApiSchema } from '@nestjs/swagger';
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

@ApiSchema({ name: 'OrganizationName' })
export class OrganizationNameDto {
  @ApiProperty({ minLength: 1, maxLength: MAX_NAME_LENGTH, description: 'Trimmed; 1 to 100 characters', example: 'Acme' })
  @IsString()
  @Validate(TrimmedName)
  name!: string;
}

@ApiSchema({ name: 'InviteMember' })
export class InviteMemberDto {
  @ApiProperty({ format: 'email', maxLength: 254, description: 'One address: no display name, list or line break', example: 'bob@example.com' })
  @IsString()
  @Validate(SingleEmailAddress)
  email!: string;

  @ApiProperty({ enum: INVITABLE_ROLES })
  @IsIn(INVITABLE_ROLES, { message: 'must be "admin" or "member"' })
  role!: InvitableRole;
}

@ApiSchema({ name: 'ChangeRole' })
export class ChangeRoleDto {
  @ApiProperty({ enum: INVITABLE_ROLES, description: 'Ownership moves only by a transfer' })
  @IsIn(INVITABLE_ROLES, { message: 'must be "admin" or "member" (ownership moves only by a transfer)' })
  role!: InvitableRole;
}

@ApiSchema({ name: 'TransferOwnership' })
export class TransferOwnershipDto {
  @ApiProperty({ minLength: 1, maxLength: 255, description: 'User id of an active Admin' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  newOwnerId!: string;
}

/** The body of a POST that takes none: absent, or an empty object (unknown fields are refused). */
@ApiSchema({ name: 'EmptyBody', description: 'No fields: send no body, or {}' })
export class EmptyBodyDto {}
