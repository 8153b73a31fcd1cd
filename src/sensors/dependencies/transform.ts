import type { CloudEventJson } from '../../eventbus/index.js';
import { InputError } from '../../errors/index.js';
import { toSensorEvent } from '../events.js';
import type { EventDependencyTransformer } from '../types.js';
import type { JqRunner } from './jq.js';
import { luaEventTable, type ScriptRunner } from './filters/script.js';

/** What transforms need: a Lua runner and a jq runner. */
export interface TransformTools {
  scripts: ScriptRunner;
  jq: JqRunner;
}

/**
 * Encodes the script's result as JSON inside Lua, as Argo reads a Lua table
 * back: a table with a sequence part (or the metatable flag `__is_array`) is
 * an array, any other table an object. Kept on one line so that the
 * script's error positions stay its own.
 */
const luaJsonEncoder = [
  'local function __plinth_json(v)',
  'local t = type(v)',
  "if v == nil then return 'null' end",
  "if t == 'boolean' then return tostring(v) end",
  "if t == 'number' then",
  "if v ~= v or v == math.huge or v == -math.huge then error('the result holds a number JSON cannot express', 0) end",
  "if math.type(v) == 'integer' then return string.format('%d', v) end",
  "return string.format('%.17g', v) end",
  "if t == 'string' then return '\"' .. v:gsub('[%c\"\\\\]', function(c) return string.format('\\\\u%04x', c:byte()) end) .. '\"' end",
  "if t ~= 'table' then error('the result holds a ' .. t .. ', which JSON cannot express', 0) end",
  'local mt = getmetatable(v)',
  'local parts = {}',
  "if (type(mt) == 'table' and mt.__is_array == true) or #v > 0 then",
  'for i = 1, #v do parts[#parts + 1] = __plinth_json(v[i]) end',
  "return '[' .. table.concat(parts, ',') .. ']' end",
  "for k, e in pairs(v) do parts[#parts + 1] = __plinth_json(tostring(k)) .. ':' .. __plinth_json(e) end",
  "return '{' .. table.concat(parts, ',') .. '}' end",
  'local __plinth_out = (function() ',
].join(' ');

/**
 * Applies a dependency's `transform` to an event as Argo does, before its
 * filters: `jq` (the first output, which must be an object) or else `script`
 * (Lua with the payload as the table `event`; the script returns a table).
 * The result is the event with the new payload as `application/json`; an
 * event without a payload is left as it is. Throws InputError when the
 * payload is not a JSON object or the program fails.
 */
export async function transformEvent(
  transform: EventDependencyTransformer | undefined,
  event: CloudEventJson,
  tools: TransformTools,
): Promise<CloudEventJson> {
  if (!transform || (!transform.jq && !transform.script)) return event;
  const payload = toSensorEvent(event).data;
  if (payload.length === 0) return event;
  const input = payloadObject(payload.toString('utf8'));
  const data = transform.jq
    ? await runJq(transform.jq, input, tools.jq)
    : await runScript(transform.script ?? '', input, tools.scripts);
  const { data_base64: _encoded, ...rest } = event;
  return { ...rest, datacontenttype: 'application/json', data };
}

function payloadObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InputError(`transform: the payload is not JSON (${(err as Error).message})`);
  }
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new InputError('transform: the payload must be a JSON object');
  return value as Record<string, unknown>;
}

async function runJq(
  program: string,
  input: Record<string, unknown>,
  jq: JqRunner,
): Promise<unknown> {
  let outputs: string[];
  try {
    outputs = await jq.run(program, JSON.stringify(input));
  } catch (err) {
    throw new InputError(`transform (jq): ${firstLine(err)}`);
  }
  const [first] = outputs;
  if (first === undefined) throw new InputError('transform (jq): the program gave no output');
  const value: unknown = JSON.parse(first);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InputError('transform (jq): the output must be a JSON object');
  return value;
}

async function runScript(
  script: string,
  input: Record<string, unknown>,
  scripts: ScriptRunner,
): Promise<unknown> {
  const wrapped = `${luaJsonEncoder}${script}\nend)() if type(__plinth_out) ~= 'table' then error('the script must return a table', 0) end return __plinth_json(__plinth_out)`;
  let result: unknown;
  try {
    result = await scripts.run(wrapped, luaEventTable(input));
  } catch (err) {
    throw new InputError(
      `transform (script): ${firstLine(err).replace(/^\[string ".*?"\]:(\d+):/, 'line $1:')}`,
    );
  }
  if (typeof result !== 'string')
    throw new InputError('transform (script): the script must return a table');
  return JSON.parse(result) as unknown;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n')[0] ?? text).replace(/^jq: error(?: \(at [^)]*\))?: /, '');
}
