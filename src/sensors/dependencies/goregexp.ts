/**
 * Compiles a Go (RE2) regular expression as a JavaScript RegExp, for
 * unanchored matching as Go's `regexp.Match` does. Leading flag groups such
 * as `(?i)` become RegExp flags, `\A` and `\z` become input anchors; a pattern
 * JavaScript cannot read throws.
 */
export function goRegExp(pattern: string): RegExp {
  let flags = '';
  let source = pattern;
  const leading = /^\(\?([imsU]+)\)/.exec(source);
  if (leading) {
    const given = leading[1] ?? '';
    if (given.includes('i')) flags += 'i';
    if (given.includes('m')) flags += 'm';
    if (given.includes('s')) flags += 's';
    source = source.slice(leading[0].length);
  }
  source = source.replace(/\\A/g, '^').replace(/\\z/g, '$(?![\\s\\S])');
  // Go's named groups are spelled (?P<name>...).
  source = source.replace(/\(\?P</g, '(?<');
  return new RegExp(source, flags);
}
