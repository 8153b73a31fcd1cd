import { sql } from 'kysely';
import type { StatsRepository, TeamRecord } from '../types.js';
import type { RepositoryDeps } from './shared.js';

export function createStatsRepository({ db }: RepositoryDeps): StatsRepository {
  return {
    async teams(now) {
      const tokenRows = await db
        .selectFrom('tokens')
        .select(['team', (eb) => eb.fn.countAll<number>().as('n')])
        .where('team', 'is not', null)
        .where('revoked_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .groupBy('team')
        .execute();
      const envRows = await db
        .selectFrom('environments')
        .select(['team', (eb) => eb.fn.countAll<number>().as('n')])
        .where('team', 'is not', null)
        .where('status', '!=', 'Destroyed')
        .groupBy('team')
        .execute();
      const teams = new Map<string, TeamRecord>();
      const entry = (name: string) => {
        let t = teams.get(name);
        if (!t) {
          t = { name, tokens: 0, environments: 0 };
          teams.set(name, t);
        }
        return t;
      };
      for (const r of tokenRows) if (r.team !== null) entry(r.team).tokens = Number(r.n);
      for (const r of envRows) if (r.team !== null) entry(r.team).environments = Number(r.n);
      return [...teams.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },

    async workflowsByPhase() {
      const rows = await db
        .selectFrom('workflows')
        .select([
          sql<string>`case when phase = '' then 'Pending' else phase end`.as('phase'),
          (eb) => eb.fn.countAll<number>().as('n'),
        ])
        .groupBy(sql`case when phase = '' then 'Pending' else phase end`)
        .execute();
      const counts: Record<string, number> = {};
      for (const r of rows) counts[r.phase] = (counts[r.phase] ?? 0) + Number(r.n);
      return counts;
    },
  };
}
