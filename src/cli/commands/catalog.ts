import type { Command } from 'commander';
import { action, type Session } from '../context.js';
import { clientContext, withClientOptions, type ClientFlags } from './client-options.js';

interface SchemaProperty {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  description?: string;
}

/** Adds `plinth catalog list|get KIND`. */
export function registerCatalogCommands(program: Command, session: Session): void {
  const catalog = program
    .command('catalog')
    .description('the request kinds a team can ask for, and the fields of each');

  withClientOptions(catalog.command('list').description('list the request kinds')).action(
    action(session, async (flags: ClientFlags) => {
      const { client, out } = clientContext(session, flags);
      const { items } = await client.listKinds();
      if (out.format === 'json') {
        out.json({ items });
        return 0;
      }
      if (items.length === 0) {
        out.note('The catalog has no request kinds.');
        return 0;
      }
      out.table(
        ['kind', 'title', 'approval', 'description'],
        items.map((k) => [k.name, k.title, k.approval ? 'yes' : 'no', k.description]),
      );
      return 0;
    }),
  );

  withClientOptions(
    catalog
      .command('get')
      .description('show a kind: its fields (its JSON Schema with -o json) and what it runs')
      .argument('<kind>'),
  ).action(
    action(session, async (name: string, flags: ClientFlags) => {
      const { client, out } = clientContext(session, flags);
      const kind = await client.getKind(name);
      if (out.format === 'json') {
        out.json(kind);
        return 0;
      }
      out.line(`${kind.title} (${kind.name}): ${kind.description}`);
      out.line(
        `Runs WorkflowTemplate ${kind.runs.workflowTemplate}${kind.runs.module ? ` with module ${kind.runs.module}` : ''}${kind.approval ? ', after an approval' : ''}.`,
      );
      const properties = (kind.schema['properties'] ?? {}) as Record<string, SchemaProperty>;
      const required = new Set((kind.schema['required'] ?? []) as string[]);
      out.line();
      out.table(
        ['field', 'type', 'required', 'values', 'description'],
        Object.entries(properties).map(([field, p]) => [
          field,
          p.type ?? '',
          required.has(field)
            ? 'yes'
            : `no${p.default === undefined ? '' : ` (${JSON.stringify(p.default)})`}`,
          p.enum ? p.enum.map((v) => String(v)).join('|') : '',
          p.description ?? '',
        ]),
      );
      out.line();
      out.line(`Request one: plinth infra create ${kind.name} --set FIELD=VALUE ...`);
      return 0;
    }),
  );
}
