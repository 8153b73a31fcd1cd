/**
 * Limits how many children of a template run at once (`parallelism`).
 * Each started piece of work calls `release` once when it has finished.
 */
export class Gate {
  private active = 0;
  private queue: (() => void)[] = [];

  constructor(private readonly limit: number | undefined) {}

  /** Starts `start` now, or once a running one releases. */
  run(start: () => void): void {
    if (this.limit !== undefined && this.limit > 0 && this.active >= this.limit) {
      this.queue.push(start);
      return;
    }
    this.active++;
    start();
  }

  release(): void {
    this.active--;
    const next = this.queue.shift();
    if (next) {
      this.active++;
      next();
    }
  }

  /** Forgets the work not started yet; returns how much there was. */
  drop(): number {
    const n = this.queue.length;
    this.queue = [];
    return n;
  }
}

/** A template's `parallelism`, when it sets a positive one. */
export function parallelismOf(value: unknown): number | undefined {
  const n = Number(value);
  return value !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
}
