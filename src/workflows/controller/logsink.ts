import type { LogLine, Store } from '../../store/index.js';

/**
 * Buffers log lines and appends them to the store in batches: one write per
 * `intervalMs` or `maxLines`, whichever comes first.
 */
export class LogSink {
  private buffer: LogLine[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly onWritten: (workflowUids: Set<string>) => void,
    private readonly onError: (err: unknown) => void,
    private readonly intervalMs = 25,
    private readonly maxLines = 500,
  ) {}

  add(line: LogLine): void {
    this.buffer.push(line);
    if (this.buffer.length >= this.maxLines) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.intervalMs);
  }

  /** Resolves once every line added so far is stored. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    this.writing = this.writing.then(async () => {
      if (batch.length === 0) return;
      try {
        await this.store.logs.append(batch);
        this.onWritten(new Set(batch.map((l) => l.workflowUid)));
      } catch (err) {
        this.onError(err);
      }
    });
    return this.writing;
  }
}
