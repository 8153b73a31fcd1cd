import { ForbiddenError } from '../errors/index.js';
import { Role, type Principal } from './types.js';

/**
 * What a caller may do, as `resource:verb`. Reads are granted by role alone
 * (every role sees every team's environments and runs); writes and approvals
 * are also bound to the team that owns the resource.
 */
export const Permission = {
  EnvironmentsRead: 'environments:read',
  EnvironmentsWrite: 'environments:write',
  ApplicationsRead: 'applications:read',
  ApplicationsWrite: 'applications:write',
  /** An application's configuration: its values and the names (never the values) of its secrets. */
  ConfigurationRead: 'configuration:read',
  RunsRead: 'runs:read',
  RunsWrite: 'runs:write',
  RunsApprove: 'runs:approve',
  /** Submitting and operating Argo Workflows through the API (stop, retry, ...). */
  WorkflowsWrite: 'workflows:write',
  CatalogRead: 'catalog:read',
  InfrastructureRead: 'infrastructure:read',
  /** Requesting and deleting resources of the catalog's kinds (compute, storage, ...). */
  InfrastructureWrite: 'infrastructure:write',
  TeamsRead: 'teams:read',
  TokensRead: 'tokens:read',
  TokensWrite: 'tokens:write',
  AuditRead: 'audit:read',
  EventsRead: 'events:read',
  /** Delivering a stored event again can start any team's workflows: admins only. */
  EventsReplay: 'events:replay',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

/** The permissions that are granted only on resources of the caller's own team. */
const teamBound: ReadonlySet<Permission> = new Set([
  Permission.EnvironmentsWrite,
  Permission.ApplicationsWrite,
  Permission.InfrastructureWrite,
  Permission.RunsWrite,
  Permission.RunsApprove,
  Permission.WorkflowsWrite,
]);

const reads: Permission[] = [
  Permission.EnvironmentsRead,
  Permission.ApplicationsRead,
  Permission.ConfigurationRead,
  Permission.RunsRead,
  Permission.CatalogRead,
  Permission.InfrastructureRead,
  Permission.TeamsRead,
  Permission.EventsRead,
];
const requests: Permission[] = [
  ...reads,
  Permission.EnvironmentsWrite,
  Permission.ApplicationsWrite,
  Permission.InfrastructureWrite,
  Permission.RunsWrite,
  Permission.WorkflowsWrite,
];

const grants: Record<Role, ReadonlySet<Permission>> = {
  [Role.Viewer]: new Set(reads),
  [Role.Developer]: new Set(requests),
  [Role.Approver]: new Set([...requests, Permission.RunsApprove]),
  [Role.Admin]: new Set(Object.values(Permission)),
};

/**
 * What an action is done to. `team` is the owning team: `null` means the
 * resource has no team and only admins may change it; leave it out for
 * resources that belong to no team (tokens, the audit log).
 */
export interface AuthzResource {
  /** e.g. `environment`, `run`, `token`, `audit log`. */
  kind: string;
  name?: string;
  team?: string | null;
  /** The environment's tier (`development`, `staging`, `production`). */
  tier?: string | null;
  /** Who asked for it (the token name), for the rule on one's own production requests. */
  requester?: string | null;
}

/** The permissions a role carries. */
export function permissionsOf(role: Role): Permission[] {
  return [...grants[role]];
}

function who(principal: Principal): string {
  return principal.team === null
    ? `${principal.role} "${principal.name}" (no team)`
    : `${principal.role} of team "${principal.team}"`;
}

function what(resource: AuthzResource): string {
  const named = resource.name === undefined ? resource.kind : `${resource.kind} "${resource.name}"`;
  if (resource.team === undefined) return named;
  return resource.team === null
    ? `${named}, which has no team (only admins may change it)`
    : `${named} owned by team "${resource.team}"`;
}

function deny(
  principal: Principal,
  permission: Permission,
  resource: AuthzResource,
  message: string,
  reason: string,
): ForbiddenError {
  return new ForbiddenError(message, {
    details: {
      permission,
      reason,
      role: principal.role,
      team: principal.team,
      resource: {
        kind: resource.kind,
        ...(resource.name === undefined ? {} : { name: resource.name }),
        ...(resource.team === undefined ? {} : { team: resource.team }),
      },
    },
  });
}

/**
 * The one place where access is decided, for the API and the CLI (which goes
 * through the API). Returns when `principal` may do `action` on `resource`,
 * and throws a ForbiddenError naming the missing permission otherwise.
 *
 * Events posted straight to a webhook EventSource carry no principal: they are
 * guarded by the EventSource's own `authSecret`, not by this function.
 */
export function authorize(principal: Principal, action: Permission, resource: AuthzResource): void {
  const granted = grants[principal.role]?.has(action) ?? false;
  if (!granted) {
    throw deny(
      principal,
      action,
      resource,
      `${who(principal)} lacks ${action} on ${what(resource)}`,
      'role',
    );
  }
  if (
    principal.role !== Role.Admin &&
    teamBound.has(action) &&
    resource.team !== undefined &&
    (resource.team === null || resource.team !== principal.team)
  ) {
    throw deny(
      principal,
      action,
      resource,
      `${who(principal)} lacks ${action} on ${what(resource)}`,
      'team',
    );
  }
  if (
    action === Permission.RunsApprove &&
    resource.tier === 'production' &&
    resource.requester !== undefined &&
    resource.requester !== null &&
    resource.requester === principal.name
  ) {
    throw deny(
      principal,
      action,
      resource,
      `"${principal.name}" lacks ${action} on ${what(resource)}: nobody approves their own request for a production environment (another approver must)`,
      'own-production-request',
    );
  }
}

/** Whether `authorize` would allow it. */
export function isAllowed(
  principal: Principal,
  action: Permission,
  resource: AuthzResource,
): boolean {
  try {
    authorize(principal, action, resource);
    return true;
  } catch {
    return false;
  }
}

/** The read permission of each top-level API resource (the first path segment under `/api/v1`). */
const readOfResource: Readonly<Record<string, Permission>> = {
  environments: Permission.EnvironmentsRead,
  applications: Permission.ApplicationsRead,
  requests: Permission.RunsRead,
  runs: Permission.RunsRead,
  workflows: Permission.RunsRead,
  events: Permission.EventsRead,
  audit: Permission.AuditRead,
  catalog: Permission.CatalogRead,
  infrastructure: Permission.InfrastructureRead,
  tokens: Permission.TokensRead,
  teams: Permission.TeamsRead,
};

/**
 * The permission a read of an API route needs, from its path below
 * `/api/v1` (`/environments/:env/applications/:name/configuration` needs
 * `configuration:read`); undefined for a path this table does not know, which
 * the API refuses to serve rather than serve unguarded.
 */
export function readPermissionFor(path: string): Permission | undefined {
  const nouns = path.split('/').filter((s) => s !== '' && !s.startsWith(':'));
  if (nouns.includes('configuration')) return Permission.ConfigurationRead;
  if (nouns.includes('applications')) return Permission.ApplicationsRead;
  const first = nouns[0];
  return first === undefined ? undefined : readOfResource[first];
}
