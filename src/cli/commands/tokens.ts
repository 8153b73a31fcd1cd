import { Option, type Command } from 'commander';
import { TokenRole } from '../client/index.js';
import { action, type Session } from '../context.js';
import { formatAge, formatDuration } from '../output.js';
import { clientContext, withClientOptions, type ClientFlags } from './client-options.js';

interface CreateFlags extends ClientFlags {
  role: TokenRole;
  team?: string;
  expiresIn?: string;
}

/** Adds `plinth tokens create|list|revoke` and `plinth teams`. */
export function registerTokensCommands(program: Command, session: Session): void {
  const tokens = program
    .command('tokens')
    .description('issue, list and revoke API tokens (admins)');

  withClientOptions(
    tokens
      .command('create')
      .description('issue a token; its secret is printed once (-o json: the whole answer)')
      .argument('<name>', 'who will use it: a person or a system')
      .addOption(
        new Option('--role <role>', 'what it may do')
          .choices(Object.values(TokenRole))
          .makeOptionMandatory(),
      )
      .option('--team <team>', 'the team whose environments it may change')
      .option('--expires-in <lifetime>', 'lifetime such as 30d or 12h (default 90d)'),
  ).action(
    action(session, async (name: string, flags: CreateFlags) => {
      const { client, out } = clientContext(session, flags);
      const created = await client.createToken({
        name,
        role: flags.role,
        team: flags.team,
        expiresIn: flags.expiresIn,
      });
      if (out.format === 'json') {
        out.json(created);
        return 0;
      }
      out.line(created.token);
      out.note(
        `Token ${created.id} for ${created.name} (${created.role}${created.team ? ` of ${created.team}` : ''}), ` +
          `expires ${created.expiresAt ?? 'never'}. The secret above is shown only now.`,
      );
      return 0;
    }),
  );

  withClientOptions(tokens.command('list').description('list tokens (never their secrets)')).action(
    action(session, async (flags: ClientFlags) => {
      const { client, out } = clientContext(session, flags);
      const list = await client.listTokens();
      if (out.format === 'json') {
        out.json(list);
        return 0;
      }
      if (list.items.length === 0) {
        out.note('No tokens.');
        return 0;
      }
      const now = Date.now();
      out.table(
        ['id', 'name', 'role', 'team', 'age', 'last used', 'state'],
        list.items.map((t) => [
          t.id,
          t.name,
          t.role,
          t.team ?? '',
          formatAge(t.createdAt, now),
          t.lastUsedAt ? `${formatAge(t.lastUsedAt, now)} ago` : 'never',
          stateOf(t, now),
        ]),
      );
      return 0;
    }),
  );

  withClientOptions(
    tokens
      .command('revoke')
      .description('revoke a token; it stops working at once')
      .argument('<id>'),
  ).action(
    action(session, async (id: string, flags: ClientFlags) => {
      const { client, out } = clientContext(session, flags);
      const token = await client.revokeToken(id);
      if (out.format === 'json') out.json(token);
      else out.line(`Token ${token.id} (${token.name}) revoked.`);
      return 0;
    }),
  );

  withClientOptions(
    program.command('teams').description('list teams, as tokens and environments name them'),
  ).action(
    action(session, async (flags: ClientFlags) => {
      const { client, out } = clientContext(session, flags);
      const list = await client.listTeams();
      if (out.format === 'json') out.json(list);
      else if (list.items.length === 0) out.note('No teams.');
      else
        out.table(
          ['name', 'tokens', 'environments'],
          list.items.map((t) => [t.name, String(t.tokens), String(t.environments)]),
        );
      return 0;
    }),
  );
}

function stateOf(
  t: { revokedAt: string | null; expiresAt: string | null },
  now: number,
): { text: string; style: 'red' | 'dim' | 'green' } {
  if (t.revokedAt) return { text: 'revoked', style: 'red' };
  if (!t.expiresAt) return { text: 'active', style: 'green' };
  const left = Date.parse(t.expiresAt) - now;
  return left <= 0
    ? { text: 'expired', style: 'dim' }
    : { text: `active, ${formatDuration(left)} left`, style: 'green' };
}
