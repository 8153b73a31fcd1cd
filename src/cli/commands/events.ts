import { Option, type Command } from 'commander';
import type {
  EventDecision,
  EventDetail,
  EventSummary,
  EventTriggerDecision,
} from '../client/index.js';
import { action, type Session } from '../context.js';
import { formatAge, type Cell, type Output } from '../output.js';
import { clientContext, withClientOptions, type ClientFlags } from './client-options.js';

interface ListFlags extends ClientFlags {
  source?: string;
  subject?: string;
  sensor?: string;
  fired?: 'true' | 'false';
}

/** Adds `plinth events list|get|replay`: every event, what each sensor decided, and replay. */
export function registerEventsCommands(program: Command, session: Session): void {
  const events = program
    .command('events')
    .description('why did nothing run? every event with what each sensor decided, and replay');

  withClientOptions(
    events
      .command('list')
      .description('list events, newest first, with what their triggers created')
      .option('--source <name>', 'only events of this EventSource')
      .option('--subject <name>', 'only events of this name (the event within its EventSource)')
      .option('--sensor <name>', 'only events this sensor decided about (name or namespace/name)')
      .addOption(
        new Option(
          '--fired <bool>',
          'only events a trigger fired for (true) or none did (false)',
        ).choices(['true', 'false']),
      ),
  ).action(
    action(session, async (flags: ListFlags) => {
      const { client, out } = clientContext(session, flags);
      const list = await client.listEvents({
        source: flags.source,
        subject: flags.subject,
        sensor: flags.sensor,
        fired: flags.fired === undefined ? undefined : flags.fired === 'true',
      });
      if (out.format === 'json') {
        out.json(list);
        return 0;
      }
      if (list.items.length === 0) {
        out.note('No events.');
        return 0;
      }
      const now = Date.now();
      out.table(
        ['id', 'event', 'age', 'outcome'],
        list.items.map((e) => [
          e.id,
          `${e.source}/${e.subject}`,
          formatAge(e.receivedAt, now),
          outcome(e),
        ]),
      );
      if (list.nextCursor) out.note('(more events; narrow the list with --source or --sensor)');
      return 0;
    }),
  );

  withClientOptions(
    events
      .command('get')
      .description(
        'show an event: each dependency matched or why not, each trigger and what it created',
      )
      .argument('<id>'),
  ).action(
    action(session, async (id: string, flags: ClientFlags) => {
      const { client, out } = clientContext(session, flags);
      const event = await client.getEvent(id);
      if (out.format === 'json') out.json(event);
      else printEvent(out, event);
      return 0;
    }),
  );

  withClientOptions(
    events
      .command('replay')
      .description('deliver a stored event to the sensors again, as a new event')
      .argument('<id>'),
  ).action(
    action(session, async (id: string, flags: ClientFlags) => {
      const { client, out } = clientContext(session, flags);
      const replayed = await client.replayEvent(id);
      if (out.format === 'json') {
        out.json(replayed);
        return 0;
      }
      out.line(`Event ${id} replayed as ${replayed.id}.`);
      out.line(`See what the sensors decided: plinth events get ${replayed.id}`);
      return 0;
    }),
  );
}

function createdText(t: EventTriggerDecision): string | undefined {
  if (!t.created?.name) return undefined;
  const where = t.created.namespace ? `${t.created.namespace}/` : '';
  return `${t.created.kind ?? 'resource'} ${where}${t.created.name}`;
}

/** One cell summing up what the sensors did with an event. */
function outcome(e: EventSummary): Cell {
  const triggers = e.decisions.flatMap((d) => d.triggers);
  const fired = triggers.filter((t) => t.fired);
  if (fired.length > 0) {
    const text = fired
      .map((t) => (t.created?.name ? `${t.name} → ${t.created.name}` : t.name))
      .join(', ');
    return { text: `fired ${text}`, style: 'green' };
  }
  const failed = triggers.filter((t) => t.error !== undefined);
  if (failed.length > 0) {
    return { text: `failed ${failed.map((t) => t.name).join(', ')}`, style: 'red' };
  }
  if (e.decisions.length === 0) return { text: 'no sensor decided', style: 'dim' };
  const sensors = new Set(e.decisions.map((d) => d.sensor)).size;
  return {
    text: `nothing fired (${sensors} sensor${sensors === 1 ? '' : 's'})`,
    style: 'yellow',
  };
}

function printEvent(out: Output, e: EventDetail): void {
  out.line(`Event:     ${e.id}`);
  out.line(`Source:    ${e.source}`);
  out.line(`Subject:   ${e.subject}`);
  out.line(`Type:      ${e.type}`);
  if (e.time) out.line(`Time:      ${e.time}`);
  out.line(`Received:  ${e.receivedAt}`);
  if (e.replayOf) out.line(`Replay of: ${e.replayOf}`);
  out.line();
  if (e.decisions.length === 0) {
    out.line(
      out.paint(
        'No sensor decided about this event (no sensor is started, or none has yet).',
        'yellow',
      ),
    );
  }
  for (const d of e.decisions) printDecision(out, d);
  out.line('Payload:');
  const payload = JSON.stringify(e.data, null, 2) ?? 'none';
  for (const line of payload.split('\n')) out.line(`  ${line}`);
}

function printDecision(out: Output, d: EventDecision): void {
  out.line(
    `${out.paint(`Sensor ${d.sensor}`, 'bold')} ${out.paint(`(decided ${d.decidedAt})`, 'dim')}`,
  );
  out.line('  Dependencies:');
  for (const dep of d.dependencies) {
    if (dep.matched) out.line(`    ${out.paint('✓', 'green')} ${dep.name}: matched`);
    else
      out.line(
        `    ${out.paint('✗', 'red')} ${dep.name}: not matched${dep.reason ? `: ${dep.reason}` : ''}`,
      );
  }
  out.line('  Triggers:');
  for (const t of d.triggers) {
    if (t.fired) {
      const created = createdText(t);
      out.line(
        `    ${out.paint('✓', 'green')} ${t.name}: fired${created ? `, created ${created}` : ''}`,
      );
    } else if (t.error !== undefined) {
      const code = t.code ? ` (${t.code})` : '';
      out.line(`    ${out.paint('✗', 'red')} ${t.name}: failed${code}: ${t.error}`);
    } else {
      out.line(
        `    ${out.paint('-', 'dim')} ${t.name}: not fired${t.reason ? `: ${t.reason}` : ''}`,
      );
    }
  }
  out.line();
}
