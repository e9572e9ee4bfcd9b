// The activity stream's events (`activity-<orgId>`): what members did elsewhere in the product. One
// event per recorded item. `itemId` is the caller's id of the item (null when none was given): an id
// seen before in the organization is stored again but counted once by the read side.
export const ACTIVITY_TYPES = {
  asset_imported: { event: 'AssetImported', permission: 'assets:import', counter: 'imports' },
  asset_deployed: { event: 'AssetDeployed', permission: 'implementations:deploy', counter: 'deployments' },
  audit_run: { event: 'AuditRun', permission: 'audits:run', counter: 'audits' },
} as const;

export type ActivityType = keyof typeof ACTIVITY_TYPES;
export type ActivityCounter = (typeof ACTIVITY_TYPES)[ActivityType]['counter'];

export type ActivityData = {
  itemId: string | null;
  actorId: string;
  /** When the member did it (given by the caller, or the time it was recorded). */
  occurredAt: string;
  subject: string | null;
};

export type AssetImported = { type: 'AssetImported'; data: ActivityData };
export type AssetDeployed = { type: 'AssetDeployed'; data: ActivityData };
export type AuditRun = { type: 'AuditRun'; data: ActivityData };
export type ActivityEvent = AssetImported | AssetDeployed | AuditRun;

export const activityStream = (orgId: string) => `activity-${orgId}`;

const BY_EVENT = Object.fromEntries(
  Object.entries(ACTIVITY_TYPES).map(([type, t]) => [t.event, { type: type as ActivityType, counter: t.counter }]),
) as Record<ActivityEvent['type'], { type: ActivityType; counter: ActivityCounter }>;

/** The API type and counter of an activity event, or undefined for any other event. */
export const activityOf = (eventType: string) => BY_EVENT[eventType as ActivityEvent['type']];
