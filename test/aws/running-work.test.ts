import { AthenaClient, StopQueryExecutionCommand } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { stopRunningWork } from '../../shared/aws/running-work.js';
import { runQuery } from '../../shared/engines/athena/query-runner.js';
import { FakeAthena, testAthenaClient } from '../engines/athena-fakes.js';

describe('work started on AWS is stopped when the run is interrupted', () => {
  const athena = mockClient(AthenaClient);
  afterEach(() => athena.reset());

  it('stops the Athena queries still running, and forgets those that ended', async () => {
    // The first query ends at once; the second stays RUNNING until stopped.
    const fake = new FakeAthena(athena, (sql) =>
      sql.includes('slow') ? { runningPolls: 1_000_000 } : { runningPolls: 0 },
    );
    athena.on(StopQueryExecutionCommand).resolves({});
    let polls = 0;
    let interrupted = false;
    const options = {
      client: testAthenaClient(),
      workGroup: 'logs',
      // Once stopped, the slow query's wait ends the poll loop (the fake would answer RUNNING for ever).
      sleep: () => {
        polls += 1;
        return interrupted
          ? Promise.reject(new Error('interrupted'))
          : new Promise<void>((resolve) => setTimeout(resolve, 1));
      },
    };
    await runQuery(options, 'SELECT 1 AS quick', 'a quick query');
    const slow = runQuery(options, 'SELECT 2 AS slow', 'a slow query');
    while (fake.queries.length < 2 || polls < 3) await new Promise((resolve) => setTimeout(resolve, 1));

    const stopped = await stopRunningWork();
    interrupted = true;

    expect(stopped).toBe(1);
    expect(
      athena.commandCalls(StopQueryExecutionCommand).map((call) => call.args[0].input.QueryExecutionId),
    ).toEqual([fake.queries[1]?.id]);
    await expect(slow).rejects.toThrow('interrupted');
  });
});
