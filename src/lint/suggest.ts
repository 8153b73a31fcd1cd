/** The Levenshtein distance between two strings. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/**
 * The candidate closest to `name`, when it is close enough to be a typo:
 * the same words in another case, or at most a third of the letters changed.
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const d = candidate.toLowerCase() === lower ? 0 : editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.floor(name.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/** `did you mean "x"?` for a typo, else `use one of: a, b, c` (at most `max` names). */
export function suggestion(name: string, candidates: readonly string[], max = 8): string {
  const near = closest(name, candidates);
  if (near !== undefined) return `did you mean "${near}"?`;
  if (candidates.length === 0) return '';
  const shown = [...candidates].sort().slice(0, max);
  const more = candidates.length > max ? ', ...' : '';
  return `use one of: ${shown.join(', ')}${more}`;
}
