/**
 * The AWS services around the event-driven orchestration, simulated for bench/orchestration-events:
 * Athena at the SDK client (`send`), so that the product's Athena step engine runs unchanged (its
 * ClientRequestTokens, throttle retry, GetQueryExecution and GetQueryResults reads); S3 and the Glue
 * catalog at the product's own interfaces (`S3Store`, `GlueCatalog`), in memory, counting calls.
 */
import { Readable } from 'node:stream';
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type AthenaClient,
} from '@aws-sdk/client-athena';
import type { GlueCatalog } from '../shared/catalog/glue-catalog.js';
import type { CreatedPartitions, NewPartition } from '../shared/catalog/glue-partitions.js';
import type { Random } from '../shared/demo/random.js';
import type { RawObject } from '../shared/engines/types.js';
import type { S3Location } from '../shared/storage/s3-location.js';
import type { S3Store } from '../shared/storage/s3-store.js';
import type { EventClock } from './sim-events-clock.js';

/** One query the simulated Athena ran. */
export interface SimQuery {
  id: string;
  token?: string;
  /** `parse`, `rows` or `rejects`, read from the CTAS target table's name. */
  step: string;
  /** The conversion attempt's scratch-table stem (unique per attempt). */
  attempt: string;
  start: number;
  end: number;
  failed: boolean;
}

export interface SimAthenaOptions {
  clock: EventClock;
  /** How long a query runs, in ms. */
  durationMs: () => number;
  /** Draws the throttles. */
  throttleRandom: Random;
  /** Share of StartQueryExecution calls refused with TooManyRequestsException. */
  throttleRate: number;
  /** Draws which conversion attempts fail, and at which of their queries. */
  failureRandom: Random;
  /** Share of conversion attempts that fail: one of their three queries ends FAILED part-way. */
  failureRate: number;
  /** Waits as long as one call to the service takes (simulated). */
  latency(): Promise<void>;
  /** Writes what a CTAS that SUCCEEDED leaves at its external_location. */
  write(bucket: string, key: string, body: string): void;
  /** Told when a query ends (sim time): the night delivers the state-change event. */
  onEnded(query: SimQuery): void;
}

/** What the simulated Athena saw. */
export interface SimAthenaRecord {
  startCalls: number;
  throttled: number;
  /** Starts answered with an existing query (same ClientRequestToken). */
  idempotentRepeats: number;
  getQueryExecutionCalls: number;
  getQueryResultsCalls: number;
  queries: SimQuery[];
}

const CTAS_TARGET = /^CREATE TABLE "[^"]+"\."([^"]+)_(parsed|rows|rejects)"/;
const EXTERNAL_LOCATION = /external_location = 's3:\/\/([^/]+)\/([^']*)'/;
/** Rows each step of a conversion writes: the parse's lines = the rows + the rejects (they reconcile). */
const UPDATE_COUNTS: Record<string, number> = { parse: 100_000, rows: 99_990, rejects: 10 };

/** An Athena client that runs the step engine's CTAS queries on the event clock. */
export function simulatedStepAthena(options: SimAthenaOptions): {
  client: AthenaClient;
  record: SimAthenaRecord;
} {
  const { clock } = options;
  const record: SimAthenaRecord = {
    startCalls: 0,
    throttled: 0,
    idempotentRepeats: 0,
    getQueryExecutionCalls: 0,
    getQueryResultsCalls: 0,
    queries: [],
  };
  const byId = new Map<string, SimQuery>();
  const byToken = new Map<string, SimQuery>();
  /** Per conversion attempt: the step whose query fails, or null. */
  const failingStep = new Map<string, string | null>();
  const find = (id: string | undefined): SimQuery => {
    const query = byId.get(id ?? '');
    if (!query)
      throw Object.assign(new Error(`QueryExecution ${id} was not found`), {
        name: 'InvalidRequestException',
      });
    return query;
  };
  const send = async (command: unknown): Promise<unknown> => {
    await options.latency();
    if (command instanceof StartQueryExecutionCommand) {
      record.startCalls += 1;
      if (options.throttleRandom() < options.throttleRate) {
        record.throttled += 1;
        throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
      }
      const token = command.input.ClientRequestToken;
      const same = token === undefined ? undefined : byToken.get(token);
      if (same) {
        record.idempotentRepeats += 1;
        return { QueryExecutionId: same.id };
      }
      const target = CTAS_TARGET.exec(command.input.QueryString ?? '');
      if (!target)
        throw new Error(
          `The simulated Athena runs only the conversion CTAS, not: ${command.input.QueryString}`,
        );
      const [, attempt = '', table = ''] = target;
      const step = table === 'parsed' ? 'parse' : table;
      if (step === 'parse' && !failingStep.has(attempt))
        failingStep.set(
          attempt,
          options.failureRandom() < options.failureRate
            ? (['parse', 'rows', 'rejects'][Math.floor(options.failureRandom() * 3)] ?? 'parse')
            : null,
        );
      const failed = failingStep.get(attempt) === step;
      const runMs = options.durationMs() * (failed ? options.failureRandom() : 1);
      const query: SimQuery = {
        id: `q-${record.queries.length + 1}`,
        token,
        step,
        attempt,
        start: clock.now,
        end: clock.now + runMs,
        failed,
      };
      record.queries.push(query);
      byId.set(query.id, query);
      if (token !== undefined) byToken.set(token, query);
      const output = EXTERNAL_LOCATION.exec(command.input.QueryString ?? '');
      clock.at(runMs, () => {
        if (output && !failed) options.write(output[1]!, `${output[2]}part-00000.${step}`, 'PAR1');
        options.onEnded(query);
      });
      return { QueryExecutionId: query.id };
    }
    if (command instanceof GetQueryExecutionCommand) {
      record.getQueryExecutionCalls += 1;
      const query = find(command.input.QueryExecutionId);
      const ended = clock.now >= query.end;
      const state = !ended ? 'RUNNING' : query.failed ? 'FAILED' : 'SUCCEEDED';
      return {
        QueryExecution: {
          QueryExecutionId: query.id,
          Status: {
            State: state,
            ...(ended && query.failed ? { StateChangeReason: 'HIVE_BAD_DATA: simulated failure' } : {}),
          },
          Statistics: {
            DataScannedInBytes: ended ? 50_000_000 : 0,
            EngineExecutionTimeInMillis: Math.round(Math.min(clock.now, query.end) - query.start),
          },
        },
      };
    }
    if (command instanceof GetQueryResultsCommand) {
      record.getQueryResultsCalls += 1;
      const query = find(command.input.QueryExecutionId);
      return { UpdateCount: UPDATE_COUNTS[query.step], ResultSet: { Rows: [] } };
    }
    throw new Error(`The simulated Athena does not answer ${(command as object).constructor.name}.`);
  };
  return { client: { send } as unknown as AthenaClient, record };
}

/** An in-memory S3 behind the product's `S3Store` interface (the calls the orchestration makes). */
export class SimS3Store implements S3Store {
  /** `bucket/key` → object; keys kept as S3 sorts them when listed. */
  private readonly objects = new Map<
    string,
    { bucket: string; key: string; body: string; lastModified: Date }
  >();
  readonly calls: Record<string, number> = {};

  constructor(
    private readonly now: () => number,
    private readonly latency: () => Promise<void>,
  ) {}

  private count(call: string, times = 1): Promise<void> {
    this.calls[call] = (this.calls[call] ?? 0) + times;
    return this.latency();
  }

  /** Keys of a bucket below a prefix, in S3's order. */
  keys(bucket: string, prefix = ''): string[] {
    return [...this.objects.values()]
      .filter((object) => object.bucket === bucket && object.key.startsWith(prefix))
      .map((object) => object.key)
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }

  async listObjects(
    location: S3Location,
    request: { under?: string; startAfter?: string } = {},
  ): Promise<RawObject[]> {
    await this.count('ListObjectsV2');
    const prefix = `${location.prefix}${request.under ?? ''}`;
    return this.keys(location.bucket, prefix)
      .filter((key) => !key.endsWith('/'))
      .map((key) => {
        const object = this.objects.get(`${location.bucket}/${key}`)!;
        return {
          key: key.slice(location.prefix.length),
          size: object.body.length,
          lastModified: object.lastModified,
        };
      })
      .filter((object) => request.startAfter === undefined || object.key > request.startAfter);
  }

  async listFolders(location: S3Location, under = ''): Promise<string[]> {
    await this.count('ListObjectsV2');
    const prefix = `${location.prefix}${under}`;
    const names = new Set<string>();
    for (const key of this.keys(location.bucket, prefix)) {
      const slash = key.indexOf('/', prefix.length);
      if (slash > prefix.length) names.add(key.slice(prefix.length, slash));
    }
    return [...names];
  }

  async getObjectStream(bucket: string, key: string): Promise<Readable> {
    await this.count('GetObject');
    const object = this.objects.get(`${bucket}/${key}`);
    if (!object)
      throw Object.assign(new Error(`s3://${bucket}/${key} does not exist.`), { name: 'NoSuchKey' });
    return Readable.from([Buffer.from(object.body)]);
  }

  async putObject(bucket: string, key: string, body: unknown): Promise<void> {
    await this.count('PutObject');
    this.put(bucket, key, typeof body === 'string' ? body : '(binary)');
  }

  /** Writes an object without counting a call (what Athena writes at a CTAS location). */
  put(bucket: string, key: string, body: string): void {
    this.objects.set(`${bucket}/${key}`, { bucket, key, body, lastModified: new Date(this.now()) });
  }

  async deleteObjects(bucket: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    // DeleteObjects takes up to 1,000 keys a call.
    await this.count('DeleteObjects', Math.ceil(keys.length / 1000));
    for (const key of keys) this.objects.delete(`${bucket}/${key}`);
  }

  async copyObject(): Promise<void> {
    throw new Error('The simulated S3 does not copy objects: the event-driven path never does.');
  }
  async listCommonPrefixes(): Promise<string[]> {
    throw new Error('The simulated S3 does not list common prefixes: the raw listing is given to the plan.');
  }
  async findAwsLogsFolders(): Promise<string[]> {
    throw new Error('The simulated S3 does not discover folders: the raw listing is given to the plan.');
  }
  async discover(): Promise<never> {
    throw new Error('The simulated S3 does not discover folders: the raw listing is given to the plan.');
  }
  async listDay(): Promise<RawObject[]> {
    throw new Error('The simulated S3 does not list days: the raw listing is given to the plan.');
  }
  async listDays(): Promise<RawObject[]> {
    throw new Error('The simulated S3 does not list days: the raw listing is given to the plan.');
  }
}

/** An in-memory Glue catalog behind the product's `GlueCatalog` interface, counting calls. */
export class SimGlueCatalog implements GlueCatalog {
  /** `database.table|values` → LOCATION. */
  readonly locations = new Map<string, string>();
  readonly calls: Record<string, number> = {};

  constructor(private readonly latency: () => Promise<void>) {}

  private count(call: string, times = 1): Promise<void> {
    this.calls[call] = (this.calls[call] ?? 0) + times;
    return this.latency();
  }

  async createPartitions(
    database: string,
    table: string,
    partitions: readonly NewPartition[],
  ): Promise<CreatedPartitions> {
    const calls = Math.ceil(partitions.length / 100);
    await this.count('BatchCreatePartition', calls);
    let created = 0;
    for (const partition of partitions) {
      const id = `${database}.${table}|${partition.values.join('/')}`;
      if (this.locations.has(id)) continue;
      this.locations.set(id, partition.location);
      created += 1;
    }
    return { created, alreadyExisted: partitions.length - created, calls };
  }

  async swapPartitionLocation(
    database: string,
    table: string,
    values: readonly string[],
    location: string,
  ): Promise<string | undefined> {
    // GetPartition, then UpdatePartition or CreatePartition.
    await this.count('GetPartition');
    const id = `${database}.${table}|${values.join('/')}`;
    const previous = this.locations.get(id);
    this.locations.set(id, location);
    await this.count(previous === undefined ? 'CreatePartition' : 'UpdatePartition');
    return previous;
  }

  async deleteTables(_database: string, tables: readonly string[]): Promise<void> {
    await this.count('BatchDeleteTable', Math.ceil(tables.length / 100));
  }
}
