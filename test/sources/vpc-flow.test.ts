import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchKey } from '../../shared/sources/match-key.js';
import { PARTITION_COLUMNS } from '../../shared/sources/types.js';
import { vpcFlow } from '../../shared/sources/vpc-flow.js';
import { VPC_FLOW_FIELDS } from '../../shared/sources/vpc-flow-fields.js';

const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures', 'logs', 'vpc_flow');

/**
 * The "Available fields" table of https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html,
 * in its order, by version (2–5, 7, 8, 9, 10, 11; version 6 is the transit gateway's).
 */
const VPC_REFERENCE_ORDER = [
  ...['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol'],
  ...['packets', 'bytes', 'start', 'end', 'action', 'log-status'],
  ...['vpc-id', 'subnet-id', 'instance-id', 'tcp-flags', 'type', 'pkt-srcaddr', 'pkt-dstaddr'],
  ...['region', 'az-id', 'sublocation-type', 'sublocation-id'],
  ...['pkt-src-aws-service', 'pkt-dst-aws-service', 'flow-direction', 'traffic-path'],
  ...['ecs-cluster-arn', 'ecs-cluster-name', 'ecs-container-instance-arn', 'ecs-container-instance-id'],
  ...['ecs-container-id', 'ecs-second-container-id', 'ecs-service-name', 'ecs-task-definition-arn'],
  ...['ecs-task-arn', 'ecs-task-id', 'reject-reason', 'resource-id', 'encryption-status'],
  ...['instance-tag', 'instance-tag-2', 'interface-tag', 'interface-tag-2', 'asg-tag', 'asg-tag-2'],
  ...['interface-type', 'next-hop-interface-id', 'next-hop-subnet-id', 'next-hop-az-id'],
  ...['next-hop-vpc-id', 'next-hop-interface-type'],
];

/**
 * The default format of transit gateway flow logs: every field of its "Available fields" table in
 * order (https://docs.aws.amazon.com/vpc/latest/tgw/tgw-flow-logs.html).
 */
const TGW_DEFAULT_FORMAT =
  'version resource-type account-id tgw-id tgw-attachment-id tgw-src-vpc-account-id tgw-dst-vpc-account-id ' +
  'tgw-src-vpc-id tgw-dst-vpc-id tgw-src-subnet-id tgw-dst-subnet-id tgw-src-eni tgw-dst-eni tgw-src-az-id ' +
  'tgw-dst-az-id tgw-pair-attachment-id srcaddr dstaddr srcport dstport protocol packets bytes start end ' +
  'log-status type packets-lost-no-route packets-lost-blackhole packets-lost-mtu-exceeded ' +
  'packets-lost-ttl-expired tcp-flags region flow-direction pkt-src-aws-service pkt-dst-aws-service';

/**
 * The columns of the Athena user guide's CREATE TABLE for flow logs, versions 2–5
 * (https://docs.aws.amazon.com/athena/latest/ug/vpc-flow-logs-create-table-statement.html).
 */
const ATHENA_DDL_COLUMNS = `version int, account_id string, interface_id string, srcaddr string, dstaddr string,
  srcport int, dstport int, protocol bigint, packets bigint, bytes bigint, start bigint, end bigint,
  action string, log_status string, vpc_id string, subnet_id string, instance_id string, tcp_flags int,
  type string, pkt_srcaddr string, pkt_dstaddr string, region string, az_id string, sublocation_type string,
  sublocation_id string, pkt_src_aws_service string, pkt_dst_aws_service string, flow_direction string,
  traffic_path int`;

const fieldByHeader = new Map(VPC_FLOW_FIELDS.map((field) => [field.header, field]));

describe('vpc_flow fields', () => {
  it('are unique by header and by column name', () => {
    const headers = VPC_FLOW_FIELDS.map((field) => field.header);
    const names = VPC_FLOW_FIELDS.map((field) => field.name);

    expect(new Set(headers).size).toBe(headers.length);
    expect(new Set(names).size).toBe(names.length);
  });

  it('name each column as a valid Athena identifier: the header with - turned into _', () => {
    for (const field of VPC_FLOW_FIELDS) {
      expect(field.name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(field.name).toBe(field.header.replaceAll('-', '_'));
      expect(field.description.length, field.header).toBeGreaterThan(5);
    }
  });

  it('collide with a partition column only for region, which the partition serves', () => {
    const partitions = new Set<string>(PARTITION_COLUMNS);
    const colliding = VPC_FLOW_FIELDS.filter((field) => partitions.has(field.name));

    expect(colliding.map((field) => [field.name, field.servedByPartition])).toEqual([['region', 'region']]);
    expect(vpcFlow.columns.filter((column) => partitions.has(column.name))).toEqual([]);
    expect(vpcFlow.columns.map((column) => column.name)).toEqual(
      VPC_FLOW_FIELDS.filter((field) => field.name !== 'region').map((field) => field.name),
    );
  });

  it('list the VPC fields of versions 2–11 in the reference order, then the transit gateway fields', () => {
    const vpcPart = VPC_FLOW_FIELDS.slice(0, VPC_REFERENCE_ORDER.length);
    const tgwPart = VPC_FLOW_FIELDS.slice(VPC_REFERENCE_ORDER.length);

    expect(vpcPart.map((field) => field.header)).toEqual(VPC_REFERENCE_ORDER);
    expect(tgwPart.map((field) => field.header)).toEqual(
      TGW_DEFAULT_FORMAT.split(' ').filter((header) => !VPC_REFERENCE_ORDER.includes(header)),
    );
  });

  it('record the version that introduced each field', () => {
    const versionOf = (header: string) => fieldByHeader.get(header)?.version;

    const vpcVersions = VPC_FLOW_FIELDS.slice(0, VPC_REFERENCE_ORDER.length).map(
      (field) => field.version ?? 0,
    );

    // The reference table lists the fields version by version.
    expect(vpcVersions).toEqual([...vpcVersions].sort((a, b) => a - b));
    expect([versionOf('log-status'), versionOf('pkt-dstaddr'), versionOf('sublocation-id')]).toEqual([
      2, 3, 4,
    ]);
    expect([versionOf('traffic-path'), versionOf('ecs-task-id'), versionOf('reject-reason')]).toEqual([
      5, 7, 8,
    ]);
    expect([versionOf('resource-id'), versionOf('encryption-status'), versionOf('asg-tag-2')]).toEqual([
      9, 10, 11,
    ]);
    expect(VPC_FLOW_FIELDS.filter((field) => field.version === 6).map((field) => field.name)).toContain(
      'packets_lost_ttl_expired',
    );
  });

  it('have the types of the Athena guide for versions 2–5', () => {
    const ddl = ATHENA_DDL_COLUMNS.split(',').map((column) => column.trim().split(/\s+/));

    expect(VPC_FLOW_FIELDS.slice(0, ddl.length).map((field) => [field.name, field.type])).toEqual(ddl);
  });

  it('type the newer fields by their values: counters bigint, small codes int, the rest string', () => {
    const typeOf = (header: string) => fieldByHeader.get(header)?.type;

    expect(typeOf('encryption-status')).toBe('int');
    expect(typeOf('packets-lost-no-route')).toBe('bigint');
    expect(typeOf('packets-lost-ttl-expired')).toBe('bigint');
    expect(typeOf('reject-reason')).toBe('string');
    expect(typeOf('tgw-src-vpc-account-id')).toBe('string');
    expect(typeOf('next-hop-interface-type')).toBe('string');
  });
});

describe('vpc_flow format', () => {
  it('assumes the AWS default format for an object without a header line', () => {
    expect(vpcFlow.format.defaultHeader.fields.join(' ')).toBe(
      'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
    );
    expect('2 123456789010 eni-1235b8ca123456789 - - - - - - - 1 2 - NODATA').toMatch(
      new RegExp(vpcFlow.format.defaultHeader.recordStart),
    );
    expect('version account-id').not.toMatch(new RegExp(vpcFlow.format.defaultHeader.recordStart));
  });

  it('knows every field of the transit gateway default format', () => {
    expect(TGW_DEFAULT_FORMAT.split(' ').filter((header) => !fieldByHeader.has(header))).toEqual([]);
  });

  it('knows every field the header lines of the fixtures name, and each record has as many fields', () => {
    const files = readdirSync(FIXTURES).filter((name) => name.endsWith('.log'));
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const file of files) {
      const lines = readFileSync(join(FIXTURES, file), 'utf8').split('\n');
      const header = /^[0-9]/.test(lines[0] ?? '')
        ? vpcFlow.format.defaultHeader.fields
        : (lines[0] ?? '').split(' ');
      expect(
        header.filter((name) => !fieldByHeader.has(name)),
        file,
      ).toEqual([]);
      // edge-cases.log holds malformed lines on purpose (the end-to-end test expects their rejects).
      if (file === 'edge-cases.log') continue;
      for (const line of lines.slice(/^[0-9]/.test(lines[0] ?? '') ? 0 : 1).filter(Boolean)) {
        expect(line.split(' ').length, `${file}: ${line}`).toBe(header.length);
      }
    }
  });
});

describe('vpc_flow key layouts', () => {
  const FILE = '123456789010_vpcflowlogs_us-east-1_fl-1234abcd_20260310T0805Z_fe123456.log.gz';

  it.each([
    ['plain', `AWSLogs/123456789010/vpcflowlogs/us-east-1/2026/03/10/${FILE}`],
    ['plain, bucket prefix', `my-logs/AWSLogs/123456789010/vpcflowlogs/us-east-1/2026/03/10/${FILE}`],
    ['plain, hourly', `AWSLogs/123456789010/vpcflowlogs/us-east-1/2026/03/10/08/${FILE}`],
    ['plain, organization', `AWSLogs/o-a1b2c3d4e5/123456789010/vpcflowlogs/us-east-1/2026/03/10/${FILE}`],
    [
      'hive, hourly',
      `AWSLogs/aws-account-id=123456789010/aws-service=vpcflowlogs/aws-region=us-east-1/year=2026/month=03/day=10/hour=08/${FILE}`,
    ],
  ])('reads account, region and day from a %s key', (_label, key) => {
    expect(matchKey(vpcFlow, key)).toMatchObject({
      account: '123456789010',
      region: 'us-east-1',
      date: '2026-03-10',
    });
  });

  it.each([
    [
      'an hour folder that is not two digits',
      `AWSLogs/123456789010/vpcflowlogs/us-east-1/2026/03/10/8/${FILE}`,
    ],
    ['two folders below the day', `AWSLogs/123456789010/vpcflowlogs/us-east-1/2026/03/10/08/extra/${FILE}`],
    ['another service', `AWSLogs/123456789010/elasticloadbalancing/us-east-1/2026/03/10/${FILE}`],
  ])('matches no layout for %s', (_label, key) => {
    expect(matchKey(vpcFlow, key)).toBeUndefined();
  });

  it('uses portable patterns: no lookaround, no named groups, no backreferences', () => {
    for (const layout of vpcFlow.layouts) {
      expect(layout.pattern.source).not.toMatch(/\(\?[=!<]|\\[1-9]|\\k</);
    }
  });
});
