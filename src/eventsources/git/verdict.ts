/** What an HTTP event source decides about one request before anything is published. */
export type Verdict =
  | { kind: 'answer'; status: number; text: string }
  /** `json`, when given, is `data`'s JSON text as Argo writes it (raw parts kept as sent). */
  | { kind: 'publish'; data: object; json?: string };

export const answer = (status: number, text: string): Verdict => ({ kind: 'answer', status, text });
