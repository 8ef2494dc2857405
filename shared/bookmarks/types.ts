/** Life cycle of one partition's conversion: PENDING → RUNNING → SUCCEEDED | FAILED. */
export type BookmarkState = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';

/** What identifies one partition of one source in one lake. */
export interface PartitionKey {
  /** The lake location (absolute local path or s3:// URL): a new lake converts afresh. */
  lake: string;
  source: string;
  account: string;
  region: string;
  /** UTC day, YYYY-MM-DD. */
  date: string;
}

/** What the raw objects of a partition looked like when it was planned: a change means late data. */
export interface RawFingerprint {
  objects: number;
  bytes: number;
  /** Newest LastModified among the objects, ISO-8601 UTC ('' when there are none). */
  newestModified: string;
}

/** Figures a finished conversion reports; each count is measured on its own. */
export interface ConversionFigures {
  rowsIn: number;
  rowsOut: number;
  rowsRejected: number;
  bytesIn: number;
  seconds: number;
  /** AWS engines: the Athena query execution id or Glue job run id that converted the partition. */
  engineRunId?: string;
  /** Athena: bytes the conversion scanned (what it is billed for). */
  bytesScanned?: number;
  /** Time the engine reports for the conversion, in milliseconds. */
  engineMs?: number;
  /** Where the partition's current version lives (on S3, the catalog LOCATION it points at). */
  location?: string;
}

/** The figures of a remote engine's staged version: its run and location (the runner adds `seconds`). */
export type StagedFigures = Omit<ConversionFigures, 'seconds'> & { engineRunId: string; location: string };

export interface Bookmark extends PartitionKey {
  state: BookmarkState;
  /** Conversions started for this fingerprint (reset when the fingerprint changes). */
  attempts: number;
  leaseOwner?: string;
  /** Epoch milliseconds after which another runner may take the partition over. */
  leaseExpiresAt?: number;
  fingerprint?: RawFingerprint;
  rowsIn?: number;
  rowsOut?: number;
  rowsRejected?: number;
  bytesIn?: number;
  seconds?: number;
  engineRunId?: string;
  bytesScanned?: number;
  engineMs?: number;
  location?: string;
  startedAt?: string;
  finishedAt?: string;
  error?: string;
  updatedAt: string;
  /** Event-driven conversions: the conversion's id (its `v=<id>/` version prefixes). */
  conversionId?: string;
  /** Event-driven conversions: the engine step running now (`parse`, `rows`, `rejects`, `job`). */
  step?: string;
  /** Event-driven conversions: the query or job run in flight (the by-active-run index's key). */
  activeRunId?: string;
  /** Event-driven conversions: when an invocation took the end of `activeRunId` in hand (epoch ms). */
  claimedAt?: number;
  /** Event-driven conversions: figures of the steps already finished, by step name. */
  steps?: Record<string, { runId: string; rows?: number; bytesScanned?: number; engineMs?: number }>;
  /** A PENDING retry is not started before this time (epoch ms): the backoff after a failed attempt. */
  retryAt?: number;
  /** s3:// URL of the partition's plan: the exact raw objects to convert. */
  plan?: string;
}

export type AcquireResult =
  | { acquired: true; bookmark: Bookmark }
  | { acquired: false; holder?: string; leaseExpiresAt?: number; upToDate?: boolean };

/** The bookmark store: every write is conditional, so two runners never convert one partition at once. */
export interface BookmarkStore {
  get(key: PartitionKey): Promise<Bookmark | undefined>;
  /** Bookmarks of one source in one lake, optionally limited to dates from..to (inclusive). */
  list(query: { lake: string; source?: string; from?: string; to?: string }): Promise<Bookmark[]>;
  /**
   * Takes the lease: succeeds when there is no bookmark, the bookmark is not RUNNING, or its
   * lease has expired (its holder died). Sets RUNNING, the lease, the fingerprint, startedAt,
   * and attempts + 1 (attempts restart at 1 when the fingerprint differs from the stored one).
   */
  acquire(
    key: PartitionKey,
    options: {
      owner: string;
      leaseMs: number;
      fingerprint: RawFingerprint;
      now?: number;
      /** Refuse (`upToDate`) when another runner already converted this very fingerprint. */
      skipIfSucceeded?: boolean;
      /** True for a lease owner known to be dead (e.g. a killed process on this host): its live lease is taken over. */
      isDeadOwner?: (owner: string) => boolean;
    },
  ): Promise<AcquireResult>;
  /** Extends a lease this owner still holds; false when it was lost. */
  renew(key: PartitionKey, owner: string, leaseMs: number, now?: number): Promise<boolean>;
  /** RUNNING → SUCCEEDED with the figures, only while `owner` holds the lease. */
  succeed(key: PartitionKey, owner: string, figures: ConversionFigures, now?: number): Promise<void>;
  /**
   * RUNNING → PENDING, only while `owner` holds the lease, giving the attempt back: an interrupted
   * runner hands the partition over without spending its retry budget.
   */
  release(key: PartitionKey, owner: string, reason: string): Promise<void>;
  /** RUNNING → FAILED with the error message, only while `owner` holds the lease. */
  fail(
    key: PartitionKey,
    owner: string,
    error: string,
    figures?: Partial<ConversionFigures>,
    now?: number,
  ): Promise<void>;
}
