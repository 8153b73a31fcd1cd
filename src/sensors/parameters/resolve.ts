import { InputError, ManifestError, isPlinthError } from '../../errors/index.js';
import { contextJson, eventJson, payloadJson, type SensorEvent } from '../events.js';
import {
  TriggerParameterOperation,
  type TriggerParameter,
  type TriggerParameterSource,
} from '../types.js';
import { GjsonType, gjsonGet, type GjsonType as GjsonTypeName } from './gjson.js';
import { sjsonSet, type JsonValue } from './sjson.js';

/** A resolved parameter value: always text, with the gjson type it had (`String` for defaults and whole events). */
export interface ResolvedValue {
  value: string;
  type: GjsonTypeName;
}

/** The events a trigger fires with, by dependency name. */
export type EventsByDependency = ReadonlyMap<string, SensorEvent>;

/**
 * Resolves a parameter's source as Argo does. Returns undefined when the
 * dependency has no event and there is no `value` (the parameter is skipped);
 * throws InputError when the key is not in the event and there is no `value`.
 */
export function resolveParamValue(
  src: TriggerParameterSource,
  events: EventsByDependency,
): ResolvedValue | undefined {
  const event = events.get(src.dependencyName);
  if (event === undefined) {
    return src.value === undefined ? undefined : { value: src.value, type: GjsonType.String };
  }
  if (!src.contextKey && !src.dataKey) {
    return { value: src.value ?? eventJson(event), type: GjsonType.String };
  }
  const key = src.dataKey || (src.contextKey as string);
  let document: string;
  try {
    document = src.dataKey ? payloadJson(event) : contextJson(event);
  } catch (err) {
    if (src.value !== undefined) return { value: src.value, type: GjsonType.String };
    throw err;
  }
  const found = gjsonGet(document, key);
  if (found.exists) {
    const value =
      found.type === GjsonType.JSON || found.type === GjsonType.Null ? found.raw : found.str;
    return { value, type: found.type };
  }
  if (src.value !== undefined) return { value: src.value, type: GjsonType.String };
  const which = src.dataKey ? 'dataKey' : 'contextKey';
  throw new InputError(
    `cannot resolve a parameter of dependency "${src.dependencyName}": ${which} "${key}" is not in event ${event.context.id} and the parameter has no default value`,
    {
      errors: [
        {
          field: `src.${which}`,
          message: `"${key}" is not in the event`,
          fix: 'send it in the event or set src.value as the default',
        },
      ],
      details: { dependencyName: src.dependencyName, [which]: key, eventId: event.context.id },
    },
  );
}

/**
 * Applies parameters to a JSON object as Argo's ApplyParams does: each
 * resolved value is set at `dest` as a string, or as raw JSON when
 * `useRawData` is set and the value is not a string; `append` and `prepend`
 * join the text already at `dest`.
 */
export function applyParams(
  document: JsonValue,
  params: readonly TriggerParameter[] | undefined,
  events: EventsByDependency,
): JsonValue {
  let out = document;
  for (const param of params ?? []) {
    if (param.src === undefined) continue;
    const resolved = resolveParamValue(param.src, events);
    if (resolved === undefined) continue;
    let { value, type } = resolved;
    const op = param.operation ?? TriggerParameterOperation.None;
    if (op === TriggerParameterOperation.Append || op === TriggerParameterOperation.Prepend) {
      const current = gjsonGet(JSON.stringify(out), param.dest);
      if (current.exists) {
        type = GjsonType.String;
        value = op === TriggerParameterOperation.Append ? current.str + value : value + current.str;
      }
    } else if (
      op !== TriggerParameterOperation.Overwrite &&
      op !== TriggerParameterOperation.None
    ) {
      throw new ManifestError(
        `unsupported trigger parameter operation "${String(op)}" (use append, overwrite or prepend)`,
      );
    }
    const next: JsonValue =
      type !== GjsonType.String && param.src.useRawData ? (JSON.parse(value) as JsonValue) : value;
    try {
      out = sjsonSet(out, param.dest, next);
    } catch (err) {
      if (isPlinthError(err, 'INVALID_INPUT')) {
        throw new ManifestError(
          `parameter dest "${param.dest}": ${err.message}`,
          {},
          { cause: err },
        );
      }
      throw err;
    }
  }
  return out;
}
