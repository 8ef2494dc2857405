/**
 * The last answers about runs that SUCCEEDED, kept from `status` for `next`: a succeeded run never
 * changes, so the answer the poll just read (statistics, execution time) is reused instead of
 * asking the service again. Bounded (oldest forgotten first), since a `status` need not be
 * followed by a `next` in the same process; a forgotten answer is simply asked for again.
 */
export class SettledRuns<T> {
  private readonly answers = new Map<string, T>();

  constructor(private readonly limit = 100) {}

  keep(runId: string, answer: T): void {
    this.answers.delete(runId);
    this.answers.set(runId, answer);
    for (const oldest of this.answers.keys()) {
      if (this.answers.size <= this.limit) break;
      this.answers.delete(oldest);
    }
  }

  /** The kept answer of a run, forgotten as it is handed out. */
  take(runId: string): T | undefined {
    const answer = this.answers.get(runId);
    this.answers.delete(runId);
    return answer;
  }
}
