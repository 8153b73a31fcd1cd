import { InputError, ManifestError, isPlinthError, type PlinthError } from '../../errors/index.js';
import { contextJson, eventJson, payloadJson, type SensorEvent } from '../events.js';
import {
  TriggerParameterOperation,
  type TriggerParameter,
  type TriggerParameterSource,
} from '../types.js';
import { GjsonType, gjsonGet, type GjsonType as GjsonTypeName } from './gjson.js';
import { goValueFromJson, renderGoTemplate } from './gotemplate/index.js';
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
 * throws InputError when neither the template nor the key resolves and there
 * is no `value`.
 *
 * Argo's precedence: with no key and no template, `value`, else the whole
 * event; the data side (`dataKey`/`dataTemplate`) replaces the context side
 * when both are given; a template is tried before a key, a key before
 * `value`; a template that fails or renders "" or `<no value>` falls through.
 */
export function resolveParamValue(
  src: TriggerParameterSource,
  events: EventsByDependency,
): ResolvedValue | undefined {
  const event = events.get(src.dependencyName);
  if (event === undefined) {
    return src.value === undefined ? undefined : { value: src.value, type: GjsonType.String };
  }
  const fallback = (): ResolvedValue | undefined =>
    src.value === undefined ? undefined : { value: src.value, type: GjsonType.String };
  if (!src.contextKey && !src.dataKey && !src.dataTemplate && !src.contextTemplate) {
    return { value: src.value ?? eventJson(event), type: GjsonType.String };
  }
  const useData = Boolean(src.dataKey || src.dataTemplate);
  const key = useData ? src.dataKey : src.contextKey;
  const template = useData ? src.dataTemplate : src.contextTemplate;
  let document: string;
  try {
    document = useData ? payloadJson(event) : contextJson(event);
  } catch (err) {
    const byDefault = fallback();
    if (byDefault) return byDefault;
    throw err;
  }
  let templateError: PlinthError | undefined;
  if (template) {
    try {
      return { value: renderParamTemplate(document, template), type: GjsonType.String };
    } catch (err) {
      if (!isPlinthError(err)) throw err;
      templateError = err;
    }
  }
  if (key) {
    const found = gjsonGet(document, key);
    if (found.exists) {
      const value =
        found.type === GjsonType.JSON || found.type === GjsonType.Null ? found.raw : found.str;
      return { value, type: found.type };
    }
  }
  const byDefault = fallback();
  if (byDefault) return byDefault;
  const side = useData ? 'data' : 'context';
  const which = key ? `${side}Key` : `${side}Template`;
  const what = key
    ? `${which} "${key}" is not in event ${event.context.id}`
    : `${which} did not resolve for event ${event.context.id}`;
  const reason = templateError ? ` (${templateError.message})` : '';
  throw new InputError(
    `cannot resolve a parameter of dependency "${src.dependencyName}": ${what}${reason} and the parameter has no default value`,
    {
      errors: [
        {
          field: `src.${which}`,
          message: key ? `"${key}" is not in the event` : (templateError?.message ?? 'no value'),
          fix: 'send it in the event or set src.value as the default',
        },
      ],
      details: {
        dependencyName: src.dependencyName,
        ...(key ? { [which]: key } : {}),
        eventId: event.context.id,
      },
      ...(templateError ? { cause: templateError } : {}),
    },
  );
}

/**
 * Renders a dataTemplate or contextTemplate as Argo does: the document
 * (payload or context JSON) is the template's `.Input`; an empty result or
 * `<no value>` counts as a failure.
 */
export function renderParamTemplate(document: string, template: string): string {
  const input = goValueFromJson(JSON.parse(document));
  const out = renderGoTemplate(template, { Input: input });
  if (out === '' || out === '<no value>') {
    throw new InputError(`template evaluated to empty string or no value: ${template}`);
  }
  return out;
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

/**
 * Builds an HTTP trigger's request body from its `payload` parameters as
 * Argo's ConstructPayload does: each value set at `dest` in a JSON object
 * (raw JSON with `useRawData` for a non-string), or, for a parameter with an
 * empty `dest`, that value alone as the whole body. Undefined when nothing
 * was set (an empty body).
 */
export function constructPayload(
  params: readonly TriggerParameter[] | undefined,
  events: EventsByDependency,
): string | undefined {
  let payload: JsonValue | undefined;
  for (const param of params ?? []) {
    if (param.src === undefined) continue;
    const resolved = resolveParamValue(param.src, events);
    if (!param.dest) {
      if (resolved !== undefined) return resolved.value;
      continue;
    }
    if (resolved === undefined) continue;
    const next: JsonValue =
      resolved.type !== GjsonType.String && param.src.useRawData
        ? (JSON.parse(resolved.value) as JsonValue)
        : resolved.value;
    payload = sjsonSet(payload ?? {}, param.dest, next);
  }
  return payload === undefined ? undefined : JSON.stringify(payload);
}
