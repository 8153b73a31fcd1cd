/** What an HTTP event source decides about one request before anything is published. */
export type Verdict =
  { kind: 'answer'; status: number; text: string } | { kind: 'publish'; data: object };

export const answer = (status: number, text: string): Verdict => ({ kind: 'answer', status, text });
