import {
  BatchCreatePartitionCommand,
  CreatePartitionCommand,
  UpdatePartitionCommand,
} from '@aws-sdk/client-glue';
import { DeleteObjectsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { runPipeline } from '../../shared/pipeline/run-pipeline.js';
import { SOURCES } from '../../shared/sources/index.js';
import { useNightSuite, type Night } from '../aws-target/aws-harness.js';

const DAY = '2026-11-21';
const ACCOUNTS = ['111122223333', '012345678901'];
const REGIONS = ['us-east-1', 'eu-west-1'];

/** A night's raw keys: flow logs and ALB logs of two accounts in two regions, plus a classic ELB file ALB must not take. */
function nightKeys(): string[] {
  const keys: string[] = [];
  for (const account of ACCOUNTS) {
    for (const region of REGIONS) {
      const day = `AWSLogs/${account}/vpcflowlogs/${region}/2026/11/21/`;
      keys.push(`logs/${day}${account}_vpcflowlogs_${region}_fl-1_20261121T0005Z_a1.log.gz`);
      keys.push(`logs/${day}${account}_vpcflowlogs_${region}_fl-1_20261121T0010Z_b2.log.gz`);
      const elb = `AWSLogs/${account}/elasticloadbalancing/${region}/2026/11/21/`;
      keys.push(
        `logs/${elb}${account}_elasticloadbalancing_${region}_app.web.0f1e2d3c4b5a6978_20261121T0005Z_10.0.0.1_x1.log.gz`,
      );
      keys.push(
        `logs/${elb}${account}_elasticloadbalancing_${region}_classic-web_20261121T0005Z_10.0.0.2_y2.log`,
      );
    }
  }
  return keys;
}

describe('a night on AWS: S3 listing, Athena conversions, Glue partition swaps, DynamoDB bookmarks', () => {
  const startNight = useNightSuite('bookmarks', {
    sources: [SOURCES.vpc_flow, SOURCES.alb],
    dates: [DAY],
    runnerId: 'test-runner:1:aws',
  });
  let night: Night;

  beforeEach(async () => {
    night = await startNight({ rawKeys: nightKeys() });
  });

  it('converts every partition once, records the queries in the bookmarks and points the catalog at each new version', async () => {
    const outcomes = await runPipeline(night.options);

    expect(outcomes).toHaveLength(8);
    for (const outcome of outcomes)
      expect(outcome).toMatchObject({
        action: 'converted',
        state: 'SUCCEEDED',
        rowsIn: 10,
        rowsOut: 9,
        rowsRejected: 1,
      });
    // Three queries per partition (parse once, then rows and rejects from the parsed scratch).
    expect(night.fakeAthena.queries).toHaveLength(24);
    expect(new Set(night.fakeAthena.queries.map((query) => query.input.WorkGroup))).toEqual(
      new Set(['logs']),
    );
    // The ALB manifests list the ALB file only, never the classic ELB file beside it.
    const manifests = night.s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    const albManifest = manifests.find((input) =>
      input.Key?.includes('_manifests/alb/account=111122223333/region=us-east-1/'),
    );
    expect(String(albManifest?.Body)).toMatch(/_app\.web\./);
    expect(String(albManifest?.Body)).not.toMatch(/classic-web/);
    // The raw tables' partitions of the night are registered in one BatchCreatePartition per table,
    // each at its day folder.
    const registered = night.glue.commandCalls(BatchCreatePartitionCommand).map((call) => call.args[0].input);
    expect(registered.map((input) => [input.TableName, input.PartitionInputList?.length])).toEqual([
      ['alb_raw', 4],
      ['vpc_flow_raw', 4],
    ]);
    expect(registered[1]?.PartitionInputList?.map((entry) => entry.StorageDescriptor?.Location)).toContain(
      's3://raw-bucket/logs/AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/11/21/',
    );
    // The converted table's partition points at this run's version.
    const converted = night.locations.get('vpc_flow|111122223333/us-east-1/2026/11/21');
    expect(converted).toMatch(
      /^s3:\/\/lake-bucket\/lake\/vpc_flow\/account=111122223333\/region=us-east-1\/year=2026\/month=11\/day=21\/v=[^/]+\/$/,
    );
    const bookmark = await night.options.bookmarks.get({
      lake: night.options.lake,
      source: 'vpc_flow',
      account: '111122223333',
      region: 'us-east-1',
      date: DAY,
    });
    expect(bookmark).toMatchObject({
      state: 'SUCCEEDED',
      bytesScanned: 15000,
      engineMs: 2700,
      location: converted,
    });
    expect(bookmark?.engineRunId).toMatch(/^q-\d+$/);
  });

  it('converts nothing on a second run: the bookmarks say every partition is up to date', async () => {
    await runPipeline(night.options);
    const queriesAfterFirst = night.fakeAthena.queries.length;

    const again = await runPipeline(night.options);

    expect(again.every((outcome) => outcome.action === 'up-to-date')).toBe(true);
    expect(night.fakeAthena.queries).toHaveLength(queriesAfterFirst);
  });

  it('a re-run after late data swaps the partition to the new version and deletes the old one', async () => {
    await runPipeline(night.options);
    const first = night.locations.get('alb|012345678901/eu-west-1/2026/11/21');
    // Late data in the raw bucket; the lake holds a file of the first version.
    night.addObject(
      'raw-bucket',
      'logs/AWSLogs/012345678901/elasticloadbalancing/eu-west-1/2026/11/21/012345678901_elasticloadbalancing_eu-west-1_app.web.0f1e2d3c4b5a6978_20261121T2355Z_10.0.0.1_late.log.gz',
    );
    night.addObject('lake-bucket', `${first?.replace('s3://lake-bucket/', '')}part-0.parquet`);
    // Only the re-run's calls are checked below.
    night.s3.resetHistory();

    const rerun = await runPipeline({ ...night.options, runnerId: 'test-runner:2:aws' });

    const late = rerun.filter((outcome) => outcome.action === 'converted');
    expect(late.map((outcome) => `${outcome.source} ${outcome.account} ${outcome.region}`)).toEqual([
      'alb 012345678901 eu-west-1',
    ]);
    const second = night.locations.get('alb|012345678901/eu-west-1/2026/11/21');
    expect(second).not.toBe(first);
    const deleted = night.s3
      .commandCalls(DeleteObjectsCommand)
      .flatMap((call) => call.args[0].input.Delete?.Objects?.map((object) => object.Key) ?? []);
    expect(deleted).toContain(`${first?.replace('s3://lake-bucket/', '')}part-0.parquet`);
  });

  it("--dry-run lists and plans, prints each partition's statements and calls, and sends no write at all", async () => {
    const outcomes = await runPipeline({ ...night.options, dryRun: true });

    expect(outcomes.every((outcome) => outcome.action === 'would-convert')).toBe(true);
    const plan = outcomes[0]?.plan ?? [];
    expect(plan.some((step) => step.startsWith('S3 PutObject s3://lake-bucket/lake/_manifests/'))).toBe(true);
    expect(
      plan.filter((step) => step.startsWith('Athena StartQueryExecution (workgroup logs)')),
    ).toHaveLength(3);
    expect(plan.some((step) => /CREATE TABLE/.test(step))).toBe(true);
    expect(night.fakeAthena.queries).toHaveLength(0);
    expect(night.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(night.s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
    expect(night.glue.commandCalls(CreatePartitionCommand)).toHaveLength(0);
    expect(night.glue.commandCalls(UpdatePartitionCommand)).toHaveLength(0);
    expect(night.glue.commandCalls(BatchCreatePartitionCommand)).toHaveLength(0);
    expect(plan[0]).toMatch(
      /^Glue BatchCreatePartition .*_raw \(.*\) LOCATION s3:\/\/raw-bucket\/logs\/AWSLogs\//,
    );
    expect(await night.options.bookmarks.list({ lake: night.options.lake, source: 'vpc_flow' })).toEqual([]);
  });
});
