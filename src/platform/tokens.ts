import { ConflictError, InputError, NotFoundError, type FieldProblem } from '../errors/index.js';
import type { Store, TokenRecord } from '../store/index.js';
import { Permission, authorize } from './authorization.js';
import { DNS_LABEL_PATTERN } from './names.js';
import { Role, type AuthService, type Principal } from './types.js';

/** A token as listed: never its secret or hash. */
export interface TokenView {
  id: string;
  name: string;
  role: Role;
  team: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

/** A new token with its secret, shown this once. */
export interface CreatedToken {
  token: string;
  id: string;
  name: string;
  role: Role;
  team: string | null;
  expiresAt: string | null;
  createdAt: string;
}

/** A team, as tokens and environments name it. */
export interface TeamView {
  name: string;
  /** Active tokens of the team. */
  tokens: number;
  /** Environments of the team that are not destroyed. */
  environments: number;
}

/** Tokens and teams, managed by admins. */
export interface AccessService {
  createToken(input: unknown, actor: Principal): Promise<CreatedToken>;
  listTokens(actor: Principal): Promise<TokenView[]>;
  revokeToken(id: string, actor: Principal): Promise<TokenView>;
  listTeams(actor: Principal): Promise<TeamView[]>;
}

export const TOKEN_FIELDS = ['name', 'role', 'team', 'expiresIn'] as const;
/** How long a token lives when `expiresIn` is not given. */
export const DEFAULT_TOKEN_LIFETIME = '90d';
const MAX_LIFETIME_MS = 366 * 24 * 3_600_000;
const units: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const teamPattern = new RegExp(DNS_LABEL_PATTERN);
const roles = Object.values(Role) as string[];

/** `30d`, `12h`, `45m`, `2w` in milliseconds; undefined when it is not one of those. */
export function parseLifetime(text: string): number | undefined {
  const match = /^(\d{1,6})([mhdw])$/.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * (units[match[2] ?? ''] ?? 0);
  return ms > 0 ? ms : undefined;
}

function viewOf(t: TokenRecord): TokenView {
  return {
    id: t.id,
    name: t.name,
    role: t.role as Role,
    team: t.team,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    revokedAt: t.revokedAt,
    lastUsedAt: t.lastUsedAt,
  };
}

interface TokenInput {
  name: string;
  role: Role;
  team: string | null;
  lifetimeMs: number;
}

function validateTokenInput(input: unknown): TokenInput {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InputError('the body must be a JSON object', {
      errors: [{ field: '', message: 'is not an object', fix: 'send {"name": ..., "role": ...}' }],
    });
  }
  const body = input as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(body)) {
    if (!(TOKEN_FIELDS as readonly string[]).includes(key)) {
      problems.push({
        field: key,
        message: 'is not a known field',
        fix: `remove it; allowed fields are ${TOKEN_FIELDS.join(', ')}`,
      });
    }
  }
  const { name, role, team, expiresIn } = body;
  if (typeof name !== 'string' || name.trim() === '' || name.length > 100) {
    problems.push({
      field: 'name',
      message: 'must be a non-empty string of at most 100 characters',
      fix: 'name the person or system that will use the token',
    });
  }
  if (typeof role !== 'string' || !roles.includes(role)) {
    problems.push({
      field: 'role',
      message: 'is not a role',
      fix: `use one of ${roles.join(', ')}`,
    });
  }
  if (
    team !== undefined &&
    team !== null &&
    (typeof team !== 'string' || !teamPattern.test(team))
  ) {
    problems.push({
      field: 'team',
      message: 'is not a team name',
      fix: 'use lowercase letters, digits and "-", starting with a letter',
    });
  }
  if (
    (role === Role.Developer || role === Role.Approver) &&
    (team === undefined || team === null)
  ) {
    problems.push({
      field: 'team',
      message: `is required for the ${role} role`,
      fix: 'give the team whose environments the token may change',
    });
  }
  const lifetimeText = expiresIn === undefined ? DEFAULT_TOKEN_LIFETIME : expiresIn;
  const lifetimeMs = typeof lifetimeText === 'string' ? parseLifetime(lifetimeText) : undefined;
  if (lifetimeMs === undefined || lifetimeMs > MAX_LIFETIME_MS) {
    problems.push({
      field: 'expiresIn',
      message: 'is not a lifetime of at most 366 days',
      fix: 'give a number and a unit: m, h, d or w (e.g. 30d, 12h)',
    });
  }
  if (problems.length > 0) {
    const summary = problems.map((p) => `${p.field} ${p.message}`).join('; ');
    throw new InputError(`invalid token: ${summary}`, { errors: problems });
  }
  return {
    name: (name as string).trim(),
    role: role as Role,
    team: typeof team === 'string' ? team : null,
    lifetimeMs: lifetimeMs ?? 0,
  };
}

export function createAccessService(deps: {
  store: Store;
  auth: AuthService;
  clock: () => Date;
}): AccessService {
  const { store, auth, clock } = deps;

  function isActive(t: TokenRecord, now: Date): boolean {
    return (
      t.revokedAt === null && (t.expiresAt === null || Date.parse(t.expiresAt) > now.getTime())
    );
  }

  return {
    async createToken(input, actor) {
      authorize(actor, Permission.TokensWrite, { kind: 'tokens' });
      const { name, role, team, lifetimeMs } = validateTokenInput(input);
      const expiresAt = new Date(clock().getTime() + lifetimeMs).toISOString();
      const issued = await auth.createToken({ name, role, team, expiresAt });
      const record = await store.tokens.get(issued.id);
      return {
        token: issued.secret,
        id: issued.id,
        name,
        role,
        team,
        expiresAt,
        createdAt: record?.createdAt ?? clock().toISOString(),
      };
    },

    async listTokens(actor) {
      authorize(actor, Permission.TokensRead, { kind: 'tokens' });
      return (await store.tokens.list()).map(viewOf);
    },

    async revokeToken(id, actor) {
      authorize(actor, Permission.TokensWrite, { kind: 'token', name: id });
      const token = await store.tokens.get(id);
      if (!token) throw new NotFoundError(`token "${id}" does not exist`, { details: { id } });
      if (token.revokedAt !== null) return viewOf(token);
      const now = clock();
      if (token.role === Role.Admin && isActive(token, now)) {
        const admins = (await store.tokens.list()).filter(
          (t) => t.role === Role.Admin && isActive(t, now),
        );
        if (admins.length <= 1) {
          throw new ConflictError(`token "${id}" is the last active admin token`, {
            details: { id },
            errors: [
              {
                field: 'id',
                message: 'revoking it would leave nobody able to manage tokens',
                fix: 'create another admin token first',
              },
            ],
          });
        }
      }
      await auth.revokeToken(id);
      return viewOf((await store.tokens.get(id)) ?? token);
    },

    async listTeams(actor) {
      authorize(actor, Permission.TeamsRead, { kind: 'teams' });
      return store.stats.teams(clock().toISOString());
    },
  };
}
