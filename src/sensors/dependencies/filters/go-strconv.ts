/** Go's strconv.ParseBool: the value, or undefined on invalid syntax. */
export function goParseBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

const decimal = /^[+-]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d+)?$/;
const special = /^[+-]?(inf|infinity|nan)$/i;

/** Go's strconv.ParseFloat(s, 64) for decimal text: the value, or undefined on invalid syntax. */
export function goParseFloat(text: string): number | undefined {
  if (special.test(text)) {
    const lower = text.toLowerCase();
    if (lower.endsWith('nan')) return Number.NaN;
    return lower.startsWith('-') ? -Infinity : Infinity;
  }
  // Underscores are only allowed with a base prefix, which decimal text has not.
  if (!decimal.test(text) || text.includes('_')) return undefined;
  return Number(text);
}

export function parseBoolError(text: string): string {
  return `strconv.ParseBool: parsing ${JSON.stringify(text)}: invalid syntax`;
}

export function parseFloatError(text: string): string {
  return `strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`;
}
