import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-athena';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rowsWritten, runQuery, type QueryRunnerOptions } from '../../shared/engines/athena/query-runner.js';
import { QueryError, ScanLimitError } from '../../shared/errors.js';
import { FakeAthena, testAthenaClient } from './athena-fakes.js';

const SQL = `SELECT count(*) FROM "athena_logs"."vpc_flow"`;
const throttled = () =>
  new TooManyRequestsException({
    $metadata: { httpStatusCode: 400 },
    message: 'You have exceeded the limit for the number of queries you can run concurrently.',
    Reason: 'CONCURRENT_QUERY_LIMIT_EXCEEDED',
  });

describe('running an Athena query', () => {
  let athena: AwsClientStub<AthenaClient>;
  let sleeps: number[];
  let options: QueryRunnerOptions;

  beforeEach(() => {
    athena = mockClient(AthenaClient);
    sleeps = [];
    const sleep = async (ms: number) => void sleeps.push(ms);
    options = {
      client: testAthenaClient(),
      workGroup: 'athena-logs',
      outputLocation: 's3://results/athena/',
      sleep,
      retry: { sleep, random: () => 0.5, baseMs: 200, capMs: 10_000 },
    };
  });
  afterEach(() => athena.restore());

  it('starts in the workgroup, polls at doubling intervals up to 5 s, and reports id, bytes and engine time', async () => {
    const fake = new FakeAthena(athena, () => ({ runningPolls: 5, bytesScanned: 123_456, engineMs: 7_890 }));
    expect(await runQuery(options, SQL, 'a test')).toEqual({
      queryExecutionId: 'q-1',
      state: 'SUCCEEDED',
      bytesScanned: 123_456,
      engineMs: 7_890,
    });
    expect(athena.commandCalls(StartQueryExecutionCommand).map((call) => call.args[0].input)).toStrictEqual([
      {
        QueryString: SQL,
        WorkGroup: 'athena-logs',
        ResultConfiguration: { OutputLocation: 's3://results/athena/' },
      },
    ]);
    expect(athena.commandCalls(GetQueryExecutionCommand).map((call) => call.args[0].input)).toStrictEqual(
      Array(6).fill({ QueryExecutionId: 'q-1' }),
    );
    expect(fake.queries[0]?.polls).toBe(6);
    expect(sleeps).toEqual([1_000, 2_000, 4_000, 5_000, 5_000, 5_000]);
  });

  it('leaves the result location to the workgroup when none is configured', async () => {
    new FakeAthena(athena, () => ({ runningPolls: 0 }));
    await runQuery({ ...options, outputLocation: undefined }, SQL, 'a test');
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input).toStrictEqual({
      QueryString: SQL,
      WorkGroup: 'athena-logs',
    });
  });

  it("names the query id and Athena's reason when the query FAILED", async () => {
    new FakeAthena(athena, () => ({
      state: 'FAILED',
      reason:
        "TABLE_NOT_FOUND: line 1:22: Table 'awsdatacatalog.athena_logs.vpc_flow_raw_lines' does not exist",
      athenaError: { ErrorCategory: 2, ErrorType: 1301, Retryable: false },
      bytesScanned: 0,
    }));
    const error = await runQuery(options, SQL, 'parsing the lines of vpc_flow 1/r/2026-11-21').catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(QueryError);
    expect(error).not.toBeInstanceOf(ScanLimitError);
    expect(error).toMatchObject({ queryExecutionId: 'q-1', state: 'FAILED', bytesScanned: 0 });
    expect((error as Error).message).toBe(
      "Athena query q-1 (parsing the lines of vpc_flow 1/r/2026-11-21) ended FAILED: TABLE_NOT_FOUND: line 1:22: Table 'awsdatacatalog.athena_logs.vpc_flow_raw_lines' does not exist " +
        '(error category 2, type 1301).',
    );
  });

  it("says when the workgroup's per-query scan limit CANCELLED the query, and what to do", async () => {
    new FakeAthena(athena, () => ({
      state: 'CANCELLED',
      reason: 'Bytes scanned limit was exceeded',
      bytesScanned: 10_485_760,
    }));
    const error = await runQuery(options, SQL, 'parsing the lines of alb 2/ap-northeast-1/2026-11-21').catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ScanLimitError);
    expect(error).toMatchObject({ queryExecutionId: 'q-1', state: 'CANCELLED', bytesScanned: 10_485_760 });
    expect((error as Error).message).toBe(
      'Athena query q-1 (parsing the lines of alb 2/ap-northeast-1/2026-11-21) was CANCELLED by the per-query data usage ' +
        'control of workgroup athena-logs after scanning 10485760 bytes ("Bytes scanned limit was exceeded"). Raise or remove ' +
        "the workgroup's limit (BytesScannedCutoffPerQuery: Athena console, Workgroups, Data usage controls; or UpdateWorkGroup), " +
        "or run the conversions in a workgroup whose limit fits a whole day of one partition's raw logs.",
    );
  });

  it('says what to do when the workgroup refuses an external_location', async () => {
    new FakeAthena(athena, () => ({
      state: 'FAILED',
      reason: 'INVALID_TABLE_PROPERTY: external_location is not allowed in this workgroup',
    }));
    await expect(runQuery(options, SQL, 'a test')).rejects.toThrow(
      'Athena query q-1 (a test) ended FAILED: INVALID_TABLE_PROPERTY: external_location is not allowed in this workgroup. ' +
        'If the workgroup overrides client-side settings (an enforced query result location), Athena refuses ' +
        'CREATE TABLE AS with an external_location: run the conversions in a workgroup that does not override them.',
    );
  });

  it('reports another cancellation as a plain CANCELLED query', async () => {
    new FakeAthena(athena, () => ({ state: 'CANCELLED', reason: 'Query was cancelled by user' }));
    const error = await runQuery(options, SQL, 'a test').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QueryError);
    expect(error).not.toBeInstanceOf(ScanLimitError);
    expect((error as Error).message).toBe(
      'Athena query q-1 (a test) ended CANCELLED: Query was cancelled by user.',
    );
  });

  it('backs off with jitter while StartQueryExecution is throttled, then runs the query', async () => {
    new FakeAthena(athena, () => ({ runningPolls: 0 }));
    athena
      .on(StartQueryExecutionCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves({ QueryExecutionId: 'q-9' });
    athena
      .on(GetQueryExecutionCommand)
      .resolves({ QueryExecution: { QueryExecutionId: 'q-9', Status: { State: 'SUCCEEDED' } } });
    const outcome = await runQuery(options, SQL, 'a test');
    expect(outcome.queryExecutionId).toBe('q-9');
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(4);
    // Three backoffs (half of 200, 400, 800 ms with the draw pinned at 0.5), then the first poll.
    expect(sleeps).toEqual([100, 200, 400, 1_000]);
  });

  it('gives up after the retry budget with a message that says the quota is full', async () => {
    athena.on(StartQueryExecutionCommand).rejects(throttled());
    const error = await runQuery(
      { ...options, retry: { ...options.retry, maxAttempts: 4 } },
      SQL,
      'staging the rows of elb 3/eu-west-1/2026-11-21',
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QueryError);
    expect(error).toMatchObject({ state: 'NOT_STARTED', queryExecutionId: undefined });
    expect((error as Error).message).toMatch(
      /^StartQueryExecution for staging the rows of elb 3\/eu-west-1\/2026-11-21 failed: Athena was still throttling after every retry/,
    );
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(4);
    expect(sleeps).toHaveLength(3);
    sleeps.forEach((ms, index) => expect(ms).toBeLessThan(200 * 2 ** index));
  });

  it('retries a throttled poll too', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({
        QueryExecution: { Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 5 } },
      });
    expect((await runQuery(options, SQL, 'a test')).bytesScanned).toBe(5);
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(2);
  });

  it('reads the rows a CTAS wrote, and refuses an answer without a count', async () => {
    athena.on(GetQueryResultsCommand).resolvesOnce({ UpdateCount: 42 }).resolves({});
    expect(await rowsWritten(options, 'q-1', 'a test')).toBe(42);
    expect(athena.commandCalls(GetQueryResultsCommand)[0]?.args[0].input).toStrictEqual({
      QueryExecutionId: 'q-1',
      MaxResults: 1,
    });
    await expect(rowsWritten(options, 'q-2', 'a test')).rejects.toThrow(
      'GetQueryResults of query q-2 (a test) gave no UpdateCount: the number of rows it wrote is unknown.',
    );
  });
});
