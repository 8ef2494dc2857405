import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type QueryExecution,
  type StartQueryExecutionCommandInput,
} from '@aws-sdk/client-athena';
import type { AwsClientStub } from 'aws-sdk-client-mock';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** An Athena client for mocks: fixed region and fake credentials. */
export function testAthenaClient(): AthenaClient {
  return new AthenaClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
  });
}

/** How a faked query ends. */
export interface QueryScript {
  /** RUNNING answers before the final one (default 1). */
  runningPolls?: number;
  state?: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  reason?: string;
  athenaError?: NonNullable<QueryExecution['Status']>['AthenaError'];
  bytesScanned?: number;
  engineMs?: number;
  /** GetQueryResults' UpdateCount (undefined: none given). */
  updateCount?: number;
}

/** One query the fake started. */
export interface FakeQuery {
  id: string;
  input: StartQueryExecutionCommandInput;
  script: QueryScript;
  polls: number;
  done: boolean;
}

/**
 * Athena as the engine sees it: StartQueryExecution hands out ids `q-1`, `q-2` … (with
 * `honourTokens`, a start repeating a ClientRequestToken gets the earlier query back); each query is
 * QUEUED/RUNNING for `runningPolls` GetQueryExecution calls, then ends as `script(sql)` says;
 * GetQueryResults gives the script's UpdateCount. `running` and `peak` count queries started
 * and not yet seen ending, so tests can check how many were in flight at once.
 */
export class FakeAthena {
  readonly queries: FakeQuery[] = [];
  running = 0;
  peak = 0;

  constructor(
    stub: AwsClientStub<AthenaClient>,
    private readonly script: (sql: string) => QueryScript,
    /** Answer a start whose ClientRequestToken was seen before with the query it started, as Athena does. */
    options: { honourTokens?: boolean } = {},
  ) {
    stub.on(StartQueryExecutionCommand).callsFake((input: StartQueryExecutionCommandInput) => {
      const earlier = options.honourTokens
        ? this.queries.find((query) => query.input.ClientRequestToken === input.ClientRequestToken)
        : undefined;
      if (earlier && input.ClientRequestToken !== undefined) {
        if (earlier.input.QueryString !== input.QueryString)
          throw Object.assign(new Error('Idempotent parameters do not match'), {
            name: 'InvalidRequestException',
          });
        return { QueryExecutionId: earlier.id };
      }
      const id = `q-${this.queries.length + 1}`;
      this.queries.push({ id, input, script: this.script(input.QueryString ?? ''), polls: 0, done: false });
      this.running += 1;
      this.peak = Math.max(this.peak, this.running);
      return { QueryExecutionId: id };
    });
    stub.on(GetQueryExecutionCommand).callsFake((input: { QueryExecutionId?: string }) => {
      const query = this.find(input.QueryExecutionId);
      query.polls += 1;
      const { script } = query;
      if (query.polls <= (script.runningPolls ?? 1))
        return {
          QueryExecution: {
            QueryExecutionId: query.id,
            Status: { State: query.polls === 1 ? 'QUEUED' : 'RUNNING' },
          },
        };
      if (!query.done) {
        query.done = true;
        this.running -= 1;
      }
      return {
        QueryExecution: {
          QueryExecutionId: query.id,
          Query: query.input.QueryString,
          Status: {
            State: script.state ?? 'SUCCEEDED',
            ...(script.reason ? { StateChangeReason: script.reason } : {}),
            ...(script.athenaError ? { AthenaError: script.athenaError } : {}),
          },
          Statistics: {
            DataScannedInBytes: script.bytesScanned ?? 0,
            EngineExecutionTimeInMillis: script.engineMs ?? 0,
          },
        },
      };
    });
    stub.on(GetQueryResultsCommand).callsFake((input: { QueryExecutionId?: string }) => {
      const query = this.find(input.QueryExecutionId);
      return query.script.updateCount === undefined
        ? { ResultSet: { Rows: [] } }
        : { UpdateCount: query.script.updateCount, ResultSet: { Rows: [] } };
    });
  }

  private find(id: string | undefined): FakeQuery {
    const query = this.queries.find((candidate) => candidate.id === id);
    if (!query) throw new Error(`No query ${id ?? ''} was started.`);
    return query;
  }
}

/** The SQL text with every string literal and quoted identifier taken out: what is left is keywords, operators and numbers. */
export function withoutQuotedParts(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'/g, "''").replace(/"(?:[^"]|"")*"/g, '""');
}
