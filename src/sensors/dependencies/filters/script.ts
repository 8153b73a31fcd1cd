import { LuaFactory } from 'wasmoon';
import type { FilterOutcome } from './outcome.js';

/** Runs Lua filter scripts; one per sensor controller or evaluation, closed with it. */
export interface ScriptRunner {
  /** Runs `script` with `event` set to the payload; resolves to the value it returns last. */
  run(script: string, event: Record<string, unknown>): Promise<unknown>;
}

/** Lua instructions a script may run before it is stopped (Argo sets no bound; a loop must not hold a sensor). */
const instructionBudget = 20_000_000;

/** A script runner on Lua 5.4 in WebAssembly, loaded on first use. */
export function createScriptRunner(): ScriptRunner {
  let factory: LuaFactory | undefined;
  return {
    async run(script, event) {
      factory ??= new LuaFactory();
      const engine = await factory.createEngine({ injectObjects: false, enableProxy: false });
      try {
        engine.global.set('event', event);
        // Kept on the script's first line so Lua's error positions are the script's own.
        const wrapped =
          `debug.sethook(function() error("the script ran more than ${instructionBudget} instructions", 0) end, "", ${instructionBudget}) ` +
          `local __plinth_r = table.pack((function() ${script}\nend)()) debug.sethook() return __plinth_r[__plinth_r.n]`;
        return (await engine.doString(wrapped)) as unknown;
      } finally {
        engine.global.close();
      }
    },
  };
}

/**
 * The payload as Argo hands it to Lua: a JSON object whose nulls are dropped,
 * nested objects become tables, and arrays keep only their objects, numbers,
 * strings and booleans.
 */
export function luaEventTable(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, element] of Object.entries(value)) {
    if (element === null || element === undefined) continue;
    if (Array.isArray(element)) {
      out[key] = element
        .filter((e) => e !== null && (typeof e !== 'object' || !Array.isArray(e)))
        .map((e) => (typeof e === 'object' ? luaEventTable(e as Record<string, unknown>) : e));
    } else if (typeof element === 'object') {
      out[key] = luaEventTable(element as Record<string, unknown>);
    } else {
      out[key] = element;
    }
  }
  return out;
}

/**
 * Argo's script filter: the payload (a JSON object) is the Lua table `event`
 * and the filter passes when the script returns true. An absent payload
 * passes; a payload that is not an object and a failing script are errors.
 */
export async function filterScript(
  script: string | undefined,
  payload: string | undefined,
  runner: ScriptRunner,
): Promise<FilterOutcome> {
  if (!script || payload === undefined) return { pass: true };
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch (err) {
    return {
      pass: false,
      error: `script filter: the payload is not JSON (${(err as Error).message})`,
    };
  }
  // Go reads JSON null into an empty map.
  parsed ??= {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    const kind = Array.isArray(parsed) ? 'array' : typeof parsed;
    return { pass: false, error: `script filter: the payload is a JSON ${kind}, not an object` };
  }
  let result: unknown;
  try {
    result = await runner.run(script, luaEventTable(parsed as Record<string, unknown>));
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    // The chunk is named after the wrapped source; name the script's own line instead.
    const first = (text.split('\n')[0] ?? text).replace(/^\[string ".*?"\]:(\d+):/, 'line $1:');
    return { pass: false, error: `script filter: ${first}` };
  }
  if (result === true) return { pass: true };
  return {
    pass: false,
    reason: `script filter returned ${result === undefined || result === null ? 'nil' : JSON.stringify(result)}, not true`,
  };
}
