import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { stringify } from 'yaml';
import { parseManifests } from '../../catalog/index.js';
import type { CloudEventJson } from '../../eventbus/index.js';
import { InputError, ManifestError, isPlinthError } from '../../errors/index.js';
import {
  evaluateSensor,
  parseSensor,
  type Sensor,
  type SensorDecision,
} from '../../sensors/index.js';
import { action, type Session } from '../context.js';
import { describeError } from '../errors.js';
import { jsonErrorOffset } from './json-position.js';
import { createOutput, OutputFormat, type Output } from '../output.js';

interface TestFlags {
  event: string[];
  output: OutputFormat;
}

/** The `plinth sensor test -o json` document. */
export interface SensorTestReport {
  dependencies: { name: string; matched: boolean; reason?: string }[];
  triggers: {
    name: string;
    fired: boolean;
    resource?: unknown;
    reason?: string;
    /** For a dlqTrigger: the trigger whose failure fired it. */
    dlqOf?: string;
  }[];
}

/** Adds `plinth sensor test`. */
export function registerSensorCommands(program: Command, session: Session): void {
  const sensor = program.command('sensor').description('work with Argo Events Sensors offline');
  sensor
    .command('test')
    .description(
      'deliver CloudEvents to a Sensor offline: which dependencies match (and why not), which triggers fire and what they would create',
    )
    .argument('<sensor>', 'the Sensor manifest (YAML or JSON)')
    .requiredOption(
      '--event <file>',
      'a structured CloudEvent (JSON, one event or a list; payload in data or data_base64); repeatable, delivered in order',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(Object.values(OutputFormat))
        .default(OutputFormat.table),
    )
    .action(
      action(session, async (file: string, flags: TestFlags) => {
        const { env, stdout, stderr } = session.io;
        const out = createOutput({ stdout, stderr, env, format: flags.output });
        let sensorManifest: Sensor;
        const events: CloudEventJson[] = [];
        try {
          sensorManifest = await readSensor(resolve(session, file), file);
          for (const eventFile of flags.event)
            events.push(...(await readEvents(resolve(session, eventFile), eventFile)));
        } catch (err) {
          if (!isPlinthError(err)) throw err;
          for (const line of describeError(err)) stderr.write(`${line}\n`);
          return 2;
        }
        const decision = await evaluateSensor(sensorManifest, events);
        const report = toReport(decision);
        if (out.format === 'json') out.json(report);
        else printReport(out, decision.sensor, events.length, report);
        return 0;
      }),
    );
}

function resolve(session: Session, file: string): string {
  return path.resolve(session.io.cwd ?? process.cwd(), file);
}

async function readText(absolute: string, shown: string): Promise<string> {
  try {
    return await readFile(absolute, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(
      `${shown}: cannot read the file${code === 'ENOENT' ? ' (it does not exist)' : code ? ` (${code})` : ''}`,
    );
  }
}

/** Reads the first Sensor of a YAML file; errors name the file, line and column. */
async function readSensor(absolute: string, shown: string): Promise<Sensor> {
  const docs = parseManifests(await readText(absolute, shown), shown);
  const doc =
    docs.find((d) => (d.object as { kind?: unknown } | null)?.kind === 'Sensor') ?? docs[0];
  if (doc === undefined) throw new ManifestError('the file holds no Sensor', { file: shown });
  try {
    return parseSensor(doc.object, { file: shown, allowUnrunnableTriggers: true });
  } catch (err) {
    if (!(err instanceof ManifestError) || err.line !== undefined) throw err;
    const [first] = err.errors;
    const at = doc.locateKey(fieldPath(first?.field ?? ''));
    const message = err.message.startsWith(`${shown}: `)
      ? err.message.slice(shown.length + 2)
      : err.message;
    throw new ManifestError(
      message,
      { file: shown, line: at.line, column: at.column },
      {
        errors: err.errors,
      },
    );
  }
}

/** `spec.triggers[0].template.name` as a path. */
function fieldPath(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of field.split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1]) out.push(m[1]);
    for (const index of (m[2] ?? '').matchAll(/\[(\d+)\]/g)) out.push(Number(index[1]));
  }
  return out;
}

function jsonErrorLocation(text: string): { line?: number; column?: number } {
  const offset = jsonErrorOffset(text);
  if (offset === undefined) return {};
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}

/** Reads one structured CloudEvent or a list of them from a JSON file. */
async function readEvents(absolute: string, shown: string): Promise<CloudEventJson[]> {
  const text = await readText(absolute, shown);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).replace(
      / in JSON at position \d+.*$/s,
      '',
    );
    throw new ManifestError(`not JSON: ${why}`, { file: shown, ...jsonErrorLocation(text) });
  }
  const list = Array.isArray(value) ? value : [value];
  return list.map((event: unknown, i) =>
    checkEvent(event, Array.isArray(value) ? `${shown}[${i}]` : shown),
  );
}

function checkEvent(event: unknown, where: string): CloudEventJson {
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    throw new InputError(`${where}: a CloudEvent must be a JSON object`);
  const e = event as Record<string, unknown>;
  const missing = ['id', 'source', 'type'].filter((k) => typeof e[k] !== 'string' || e[k] === '');
  if (missing.length > 0)
    throw new InputError(`${where}: the CloudEvent has no ${missing.join(', ')}`, {
      errors: missing.map((field) => ({
        field,
        message: 'a CloudEvent needs it',
        fix: 'see https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/formats/json-format.md',
      })),
    });
  if (e.specversion !== undefined && e.specversion !== '1.0')
    throw new InputError(
      `${where}: specversion must be "1.0" (got ${JSON.stringify(e.specversion)})`,
    );
  if (e.data_base64 !== undefined) {
    if (e.data !== undefined)
      throw new InputError(`${where}: a CloudEvent has data or data_base64, not both`);
    if (typeof e.data_base64 !== 'string' || !/^[A-Za-z0-9+/=\s]*$/.test(e.data_base64))
      throw new InputError(`${where}: data_base64 must be base64 text`);
  }
  if (e.time !== undefined && (typeof e.time !== 'string' || Number.isNaN(Date.parse(e.time))))
    throw new InputError(`${where}: time must be an RFC 3339 timestamp`);
  return {
    ...e,
    specversion: '1.0',
    subject: typeof e.subject === 'string' ? e.subject : '',
    time: typeof e.time === 'string' ? e.time : '',
  } as CloudEventJson;
}

export function toReport(decision: SensorDecision): SensorTestReport {
  return {
    dependencies: decision.dependencies.map((d) => ({
      name: d.name,
      matched: d.matched,
      ...(d.reason === undefined ? {} : { reason: d.reason }),
    })),
    triggers: decision.triggers.map((t) => {
      const reason = t.error ?? t.reason;
      return {
        name: t.name,
        fired: t.fired,
        ...(t.fired && t.resource !== undefined ? { resource: t.resource } : {}),
        ...(reason === undefined ? {} : { reason }),
        ...(t.dlqOf === undefined ? {} : { dlqOf: t.dlqOf }),
      };
    }),
  };
}

function printReport(out: Output, sensor: string, count: number, report: SensorTestReport): void {
  out.line(`Sensor ${sensor}, ${count} event${count === 1 ? '' : 's'} delivered`);
  out.line();
  out.table(
    ['dependency', 'matched', 'reason'],
    report.dependencies.map((d) => [
      d.name,
      { text: d.matched ? 'yes' : 'no', style: d.matched ? 'green' : 'red' },
      d.reason ?? '',
    ]),
  );
  out.line();
  out.table(
    ['trigger', 'fired', 'reason'],
    report.triggers.map((t) => [
      t.name,
      { text: t.fired ? 'yes' : 'no', style: t.fired ? 'green' : 'yellow' },
      t.reason ?? '',
    ]),
  );
  for (const t of report.triggers) {
    if (!t.fired || t.resource === undefined) continue;
    out.line();
    out.line(out.paint(`${t.name}:`, 'bold'));
    const text = typeof t.resource === 'string' ? t.resource : stringify(t.resource).trimEnd();
    for (const line of text.split('\n')) out.line(`  ${line}`);
  }
}
