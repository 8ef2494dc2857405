import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSummary, type CliResult } from '../fixtures/cli-runner.js';
import { LakeRun, partitionCounts, succeeded } from '../fixtures/lake-run.js';

/**
 * Every flow-log version and the transit gateway's, converted by the CLI from the real AWS key
 * layouts. Fixtures (test/fixtures/logs/vpc_flow/): the AWS example records of
 * https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html (files named
 * `*-aws-example*`), plus our own records for versions 4, 7, 8, 9–11, transit gateway flow logs
 * (https://docs.aws.amazon.com/vpc/latest/tgw/tgw-flow-logs.html) and malformed lines.
 */
const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures', 'logs', 'vpc_flow');
const DAY = '2026-03-10';
const ACCOUNT = '123456789010';
const V5_ACCOUNT = '123456789012';
const TGW_ACCOUNT = '210987654321';

const plainKey = (account: string, region: string, file: string, folder = '') =>
  `AWSLogs/${account}/vpcflowlogs/${region}/2026/03/10/${folder}${account}_vpcflowlogs_${region}_${file}.log.gz`;

/** Fixture file → where AWS would have delivered it (and whether it arrives gzip). */
const DELIVERIES: { fixture: string; key: string; gzip?: boolean }[] = [
  {
    fixture: 'v2-default-aws-examples.log',
    key: `flow-logs/${plainKey(ACCOUNT, 'us-east-1', 'fl-0a1b2c3d4e5f60001_20260310T0800Z_0f1e2d3c')}`,
  },
  {
    // Gzip is recognised by its magic bytes, not by the name: this one arrives as plain text.
    fixture: 'v2-no-header.log',
    key: plainKey(ACCOUNT, 'us-east-1', 'fl-0a1b2c3d4e5f60002_20260310T0805Z_1a2b3c4d'),
    gzip: false,
  },
  {
    fixture: 'v3-tcp-flags-aws-example.log',
    key: plainKey(ACCOUNT, 'us-east-1', 'fl-0a1b2c3d4e5f60003_20260310T0810Z_2b3c4d5e', '08/'),
  },
  {
    fixture: 'v3-transit-gateway-path-aws-example.log',
    key: plainKey(ACCOUNT, 'us-east-1', 'fl-0a1b2c3d4e5f60004_20260310T0815Z_3c4d5e6f'),
  },
  {
    fixture: 'v7-ecs-custom.log',
    key: plainKey(ACCOUNT, 'us-east-1', 'fl-0a1b2c3d4e5f60007_20260310T0820Z_4d5e'),
  },
  {
    fixture: 'v8-reject-reason.log',
    key: plainKey(ACCOUNT, 'us-east-1', 'fl-0a1b2c3d4e5f60008_20260310T0825Z_5e6f7a8b'),
  },
  {
    fixture: 'v11-nat-encryption-tags-next-hop.log',
    key: plainKey(ACCOUNT, 'us-east-1', 'fl-0a1b2c3d4e5f60011_20260310T0830Z_6f7a8b9c'),
  },
  {
    fixture: 'edge-cases.log',
    key: plainKey(ACCOUNT, 'us-east-1', 'fl-0a1b2c3d4e5f60099_20260310T0835Z_7a8b9c0d'),
  },
  {
    fixture: 'v4-region-custom.log',
    key:
      `AWSLogs/aws-account-id=${ACCOUNT}/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2026/month=03/day=10/` +
      `hour=08/${ACCOUNT}_vpcflowlogs_eu-west-1_fl-0b1c2d3e4f5a60004_20260310T0800Z_8b9c0d1e.log.gz`,
  },
  {
    fixture: 'v5-traffic-path-aws-example.log',
    key: plainKey(V5_ACCOUNT, 'ap-southeast-2', 'fl-0c1d2e3f4a5b60005_20260310T0800Z_9c0d1e2f'),
  },
  {
    fixture: 'tgw-default-format.log',
    key: `AWSLogs/o-a1b2c3d4e5/${plainKey(TGW_ACCOUNT, 'us-east-1', 'fl-0d1e2f3a4b5c60006_20260310T0800Z_0d1e2f3a')}`,
  },
  {
    fixture: 'tgw-custom-format.log',
    key: `AWSLogs/o-a1b2c3d4e5/${plainKey(TGW_ACCOUNT, 'us-east-1', 'fl-0e1f2a3b4c5d60007_20260310T0800Z_1e2f3a4b')}`,
  },
];

describe('vpc_flow versions 2–11 and transit gateway flow logs through the CLI', () => {
  let run: LakeRun;
  let backfill: CliResult;

  const partition = (account: string, region: string) => ({ account, region, date: DAY });
  const partitionFile = (account: string, region: string) =>
    run.partitionFile('vpc_flow', partition(account, region));
  const rejectsOf = (account: string, region: string) => run.rejects('vpc_flow', partition(account, region));
  /** Selected columns of a partition's rows, NULL-valued columns included. */
  const rowsOf = (account: string, region: string, columns: string, where: string, orderBy: string) =>
    run.reader.rows(
      `SELECT ${columns} FROM ${run.scan('vpc_flow', partition(account, region))} ` +
        `WHERE ${where} ORDER BY ${orderBy}`,
    );
  /** Column names stored in a Parquet file (read_parquet would add hive partition columns from the path). */
  const storedColumns = async (file: string) =>
    new Set(
      (await run.reader.rows(`SELECT name FROM parquet_schema('${file}')`)).map((row) => String(row.name)),
    );

  beforeAll(async () => {
    run = await LakeRun.create('vpc-versions');
    for (const delivery of DELIVERIES) {
      const text = await readFile(join(FIXTURES, delivery.fixture), 'utf8');
      await run.write({ key: delivery.key, text, gzip: delivery.gzip ?? true });
    }
    backfill = await run.backfill({ from: DAY, to: DAY }, '--json');
  });

  afterAll(async () => {
    await run?.close();
  });

  it('converts every partition, counting lines in, rows out and rejects', () => {
    const counts = partitionCounts(parseSummary(backfill)).sort((a, b) =>
      `${a.account}/${a.region}`.localeCompare(`${b.account}/${b.region}`),
    );

    expect(backfill.code).toBe(0);
    expect(counts).toEqual([
      // Region rule: the us-west-2 record of the eu-west-1 object is rejected.
      succeeded('vpc_flow', partition(ACCOUNT, 'eu-west-1'), 4, 3, 1),
      // 7 + 2 + 8 + 4 + 3 + 3 + 3 + 7 records (edge-cases.log's blank line is no record).
      succeeded('vpc_flow', partition(ACCOUNT, 'us-east-1'), 37, 34, 3),
      succeeded('vpc_flow', partition(V5_ACCOUNT, 'ap-southeast-2'), 2, 2, 0),
      succeeded('vpc_flow', partition(TGW_ACCOUNT, 'us-east-1'), 5, 5, 0),
    ]);
  });

  it('reads the default format with or without its header line, - as NULL, NODATA and SKIPDATA kept', async () => {
    const rows = await rowsOf(
      ACCOUNT,
      'us-east-1',
      'version, account_id, interface_id, srcaddr, dstaddr, srcport, dstport, protocol, packets, bytes, start, "end", action, log_status, vpc_id',
      "version = 2 AND interface_id IN ('eni-1235b8ca123456789', 'eni-11111111aaaaaaaaa', 'eni-0f1e2d3c4b5a60001')",
      'start, srcaddr NULLS FIRST, interface_id',
    );

    expect(rows).toHaveLength(9);
    expect(rows[0]).toEqual({
      version: 2,
      account_id: ACCOUNT,
      interface_id: 'eni-1235b8ca123456789',
      srcaddr: '172.31.16.139',
      dstaddr: '172.31.16.21',
      srcport: 20641,
      dstport: 22,
      protocol: 6n,
      packets: 20n,
      bytes: 4249n,
      start: 1418530010n,
      end: 1418530070n,
      action: 'ACCEPT',
      log_status: 'OK',
      // Absent from every header of the default format, present in other objects of the partition.
      vpc_id: null,
    });
    expect(rows.filter((row) => row.log_status !== 'OK')).toEqual(
      // Same start, no address: ordered by interface, eni-111… before eni-123….
      ['SKIPDATA', 'NODATA'].map((status) => ({
        version: 2,
        account_id: ACCOUNT,
        interface_id: status === 'NODATA' ? 'eni-1235b8ca123456789' : 'eni-11111111aaaaaaaaa',
        srcaddr: null,
        dstaddr: null,
        srcport: null,
        dstport: null,
        protocol: null,
        packets: null,
        bytes: null,
        start: 1431280876n,
        end: 1431280934n,
        action: null,
        log_status: status,
        vpc_id: null,
      })),
    );
    // ICMP (protocol 1, ports 0) and IPv6, as in the AWS examples.
    expect(
      rows.filter((row) => row.protocol === 1n).map((row) => [row.srcaddr, row.srcport, row.action]),
    ).toEqual([
      ['203.0.113.12', 0, 'ACCEPT'],
      ['172.31.16.139', 0, 'REJECT'],
    ]);
    expect(rows.find((row) => String(row.srcaddr).includes(':'))).toMatchObject({
      srcaddr: '2001:db8:1234:a100:8d6e:3477:df66:f105',
      dstaddr: '2001:db8:1234:a102:3304:8879:34cf:4071',
      bytes: 8855n,
    });
    // The object without a header line: read as the default format.
    expect(
      rows.filter((row) => row.interface_id === 'eni-0f1e2d3c4b5a60001').map((row) => row.bytes),
    ).toEqual([5400n, 1200n]);
  });

  it('maps version 3 custom fields by the header, whatever their order (bytes before packets)', async () => {
    const rows = await rowsOf(
      ACCOUNT,
      'us-east-1',
      'srcaddr, srcport, bytes, packets, tcp_flags, type, vpc_id, subnet_id, instance_id, pkt_srcaddr, start',
      "subnet_id = 'subnet-aaaaaaaa012345678'",
      'start, srcport, tcp_flags, bytes',
    );

    expect(rows.map((row) => [row.srcaddr, row.srcport, row.bytes, row.packets, row.tcp_flags])).toEqual([
      ['10.0.0.62', 5001, 376n, 7n, 18],
      ['10.0.0.62', 5001, 632n, 12n, 18],
      ['52.213.180.42', 43416, 568n, 8n, 2],
      ['52.213.180.42', 43418, 100701n, 70n, 2],
      ['10.0.0.62', 5001, 63388n, 1219n, 1],
      ['52.213.180.42', 43418, 23294588n, 15774n, 1],
      ['10.0.0.62', 5001, 967n, 14n, 19],
      ['52.213.180.42', 43638, 1260n, 17n, 3],
    ]);
    expect(rows[0]).toMatchObject({
      type: 'IPv4',
      vpc_id: 'vpc-abcdefab012345678',
      instance_id: 'i-01234567890123456',
      pkt_srcaddr: '10.0.0.62',
    });
  });

  it('keeps the packet-level addresses of traffic through a transit gateway interface (version 3)', async () => {
    const rows = await rowsOf(
      ACCOUNT,
      'us-east-1',
      'interface_id, instance_id, srcaddr, pkt_srcaddr, dstaddr, pkt_dstaddr, tcp_flags, start',
      "interface_id IN ('eni-11111111111111111', 'eni-22222222222222222')",
      'interface_id',
    );

    expect(rows).toEqual([
      {
        interface_id: 'eni-11111111111111111',
        instance_id: null,
        srcaddr: '10.40.1.175',
        pkt_srcaddr: '10.20.33.164',
        dstaddr: '10.40.2.236',
        pkt_dstaddr: '10.40.2.236',
        tcp_flags: 3,
        // The format names no start: NULL, not a row of garbage.
        start: null,
      },
      {
        interface_id: 'eni-22222222222222222',
        instance_id: null,
        srcaddr: '10.40.2.236',
        pkt_srcaddr: '10.40.2.236',
        dstaddr: '10.40.2.31',
        pkt_dstaddr: '10.20.33.164',
        tcp_flags: 19,
        start: null,
      },
    ]);
  });

  it('reads the ECS fields of version 7 (Fargate, EC2 launch type, and no task)', async () => {
    const rows = await rowsOf(
      ACCOUNT,
      'us-east-1',
      'interface_id, ecs_cluster_name, ecs_cluster_arn, ecs_container_instance_id, ecs_container_id, ' +
        'ecs_second_container_id, ecs_service_name, ecs_task_definition_arn, ecs_task_id, flow_direction, bytes',
      'version = 7',
      'interface_id',
    );

    expect(rows).toEqual([
      {
        interface_id: 'eni-07e5c0000000a0001',
        ecs_cluster_name: 'web-cluster',
        ecs_cluster_arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/web-cluster`,
        ecs_container_instance_id: null,
        ecs_container_id: '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d-1234567890',
        ecs_second_container_id: null,
        ecs_service_name: 'web-frontend',
        ecs_task_definition_arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/web-frontend:42`,
        ecs_task_id: '4f7c2a9e1b3d4c5e8f6a7b8c9d0e1f2a',
        flow_direction: 'egress',
        bytes: 18750n,
      },
      {
        interface_id: 'eni-07e5c0000000a0002',
        ecs_cluster_name: 'batch-cluster',
        ecs_cluster_arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/batch-cluster`,
        ecs_container_instance_id: '0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f',
        ecs_container_id: '6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e',
        ecs_second_container_id: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
        ecs_service_name: null,
        ecs_task_definition_arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/nightly-batch:3`,
        ecs_task_id: '9a8b7c6d5e4f4a3b2c1d0e9f8a7b6c5d',
        flow_direction: 'egress',
        bytes: 320n,
      },
      {
        interface_id: 'eni-07e5c0000000a0003',
        ecs_cluster_name: null,
        ecs_cluster_arn: null,
        ecs_container_instance_id: null,
        ecs_container_id: null,
        ecs_second_container_id: null,
        ecs_service_name: null,
        ecs_task_definition_arn: null,
        ecs_task_id: null,
        flow_direction: 'ingress',
        bytes: 120n,
      },
    ]);
  });

  it('reads the reject reason of version 8 (a BPA record carries no bytes)', async () => {
    const rows = await rowsOf(
      ACCOUNT,
      'us-east-1',
      'action, reject_reason, bytes, packets, flow_direction, traffic_path',
      'version = 8',
      'start',
    );

    expect(rows).toEqual([
      {
        action: 'REJECT',
        reject_reason: 'BPA',
        bytes: null,
        packets: 1n,
        flow_direction: 'ingress',
        traffic_path: null,
      },
      {
        action: 'REJECT',
        reject_reason: 'EC',
        bytes: 400n,
        packets: 4n,
        flow_direction: 'egress',
        traffic_path: 1,
      },
      {
        action: 'ACCEPT',
        reject_reason: null,
        bytes: 3000n,
        packets: 20n,
        flow_direction: 'egress',
        traffic_path: 8,
      },
    ]);
  });

  it('reads versions 9–11: regional NAT gateway resource, encryption status, tags and next hop', async () => {
    const rows = await rowsOf(
      ACCOUNT,
      'us-east-1',
      'interface_id, resource_id, encryption_status, instance_tag, instance_tag_2, interface_tag, ' +
        'interface_tag_2, asg_tag, asg_tag_2, interface_type, next_hop_interface_id, next_hop_subnet_id, ' +
        'next_hop_az_id, next_hop_vpc_id, next_hop_interface_type',
      'version = 11',
      'start',
    );
    const none = {
      instance_tag: null,
      instance_tag_2: null,
      interface_tag: null,
      interface_tag_2: null,
      asg_tag: null,
      asg_tag_2: null,
      next_hop_interface_id: null,
      next_hop_subnet_id: null,
      next_hop_az_id: null,
      next_hop_vpc_id: null,
      next_hop_interface_type: null,
    };

    expect(rows).toEqual([
      {
        ...none,
        interface_id: null,
        resource_id: 'nat-0a1b2c3d4e5f60718',
        encryption_status: 0,
        interface_type: 'regional_nat_gateway',
      },
      {
        interface_id: 'eni-0b1c2d3e4f5a60001',
        resource_id: null,
        encryption_status: 1,
        instance_tag: 'prod',
        // Tag values arrive percent-encoded (no spaces in a space-delimited record): kept as delivered.
        instance_tag_2: 'team%20blue%2Fnetworking',
        interface_tag: 'app-eni',
        interface_tag_2: null,
        asg_tag: 'web-asg',
        asg_tag_2: null,
        interface_type: null,
        next_hop_interface_id: 'eni-0c1d2e3f4a5b60001',
        next_hop_subnet_id: 'subnet-0d1e2f3a4b5c60001',
        next_hop_az_id: 'use1-az4',
        next_hop_vpc_id: 'vpc-0e1f2a3b4c5d60001',
        next_hop_interface_type: 'nat_gateway',
      },
      {
        ...none,
        interface_id: 'eni-0b1c2d3e4f5a60002',
        resource_id: null,
        encryption_status: 3,
        interface_type: 'vpc_endpoint',
      },
    ]);
  });

  it('keeps unusual but valid values and rejects malformed lines, naming object, line and reason', async () => {
    const rows = await rowsOf(
      ACCOUNT,
      'us-east-1',
      'account_id, srcaddr, dstaddr, srcport, protocol, packets, bytes',
      "interface_id LIKE 'eni-0ed9e%'",
      'interface_id',
    );
    const rejects = await rejectsOf(ACCOUNT, 'us-east-1');
    const edgeKey = DELIVERIES.find((delivery) => delivery.fixture === 'edge-cases.log')?.key;

    expect(rows).toEqual([
      // account-id is `unknown` for some AWS-managed interfaces: a string column keeps it.
      {
        account_id: 'unknown',
        srcaddr: '10.0.0.99',
        dstaddr: '10.0.0.98',
        srcport: 123,
        protocol: 17n,
        packets: 1n,
        bytes: 76n,
      },
      // Counters beyond 32 bits.
      {
        account_id: ACCOUNT,
        srcaddr: '10.0.0.97',
        dstaddr: '198.51.100.200',
        srcport: 50000,
        protocol: 6n,
        packets: 4000000n,
        bytes: 5000000000n,
      },
      {
        account_id: ACCOUNT,
        srcaddr: 'fe80::1ff:fe23:4567:890a',
        dstaddr: 'ff02::1',
        srcport: 0,
        protocol: 58n,
        packets: 2n,
        bytes: 144n,
      },
      // Ports are Athena ints, not range-checked (as Athena's own table would read them).
      {
        account_id: ACCOUNT,
        srcaddr: '10.0.0.90',
        dstaddr: '10.0.0.89',
        srcport: 70000,
        protocol: 6n,
        packets: 1n,
        bytes: 40n,
      },
    ]);
    expect(rejects.map(({ key, line }) => ({ key, line }))).toEqual([
      { key: edgeKey, line: 5 },
      { key: edgeKey, line: 6 },
      { key: edgeKey, line: 7 },
    ]);
    expect(rejects[0]?.reason).toMatch(/srcport/);
    expect(rejects[0]?.text).toContain(' http 443 ');
    expect(rejects[1]?.reason).toMatch(/column/i);
    expect(rejects[2]?.reason).toMatch(/too many columns/);
  });

  it('writes the Athena types, and no region column: the partition serves it', async () => {
    const schema = await run.reader.parquetSchema(partitionFile(ACCOUNT, 'us-east-1'));

    expect(
      Object.fromEntries(
        [
          'version',
          'account_id',
          'srcport',
          'protocol',
          'bytes',
          'start',
          'tcp_flags',
          'traffic_path',
          'encryption_status',
          'reject_reason',
        ].map((name) => [name, schema.get(name)]),
      ),
    ).toEqual({
      version: 'INTEGER',
      account_id: 'VARCHAR',
      srcport: 'INTEGER',
      protocol: 'BIGINT',
      bytes: 'BIGINT',
      start: 'BIGINT',
      tcp_flags: 'INTEGER',
      traffic_path: 'INTEGER',
      encryption_status: 'INTEGER',
      reject_reason: 'VARCHAR',
    });
    const stored = await storedColumns(partitionFile(ACCOUNT, 'us-east-1'));
    expect(stored.has('region')).toBe(false);
    expect(stored.has('reject_reason')).toBe(true);
    // Only columns some object of the partition has: no transit gateway columns here.
    expect(stored.has('tgw_id')).toBe(false);
  });

  it('applies the version 4 region rule: the foreign record is rejected, the others kept', async () => {
    const rows = await rowsOf(
      ACCOUNT,
      'eu-west-1',
      'interface_id, az_id, sublocation_type, sublocation_id, srcaddr, bytes, log_status, vpc_id',
      'true',
      'start',
    );
    const rejects = await rejectsOf(ACCOUNT, 'eu-west-1');
    const stored = await storedColumns(partitionFile(ACCOUNT, 'eu-west-1'));

    expect(rows).toEqual([
      {
        interface_id: 'eni-0e1d2c3b4a5960001',
        az_id: 'euw1-az1',
        sublocation_type: null,
        sublocation_id: null,
        srcaddr: '10.20.0.5',
        bytes: 9000n,
        log_status: 'OK',
        vpc_id: 'vpc-0aaaa1111bbbb2222',
      },
      {
        interface_id: 'eni-0e1d2c3b4a5960002',
        az_id: null,
        sublocation_type: 'outpost',
        sublocation_id: 'op-0123456789abcdef0',
        srcaddr: '10.20.9.5',
        bytes: 180n,
        log_status: 'OK',
        vpc_id: 'vpc-0aaaa1111bbbb2222',
      },
      {
        interface_id: 'eni-0e1d2c3b4a5960001',
        az_id: 'euw1-az1',
        sublocation_type: null,
        sublocation_id: null,
        srcaddr: null,
        bytes: null,
        log_status: 'NODATA',
        vpc_id: 'vpc-0aaaa1111bbbb2222',
      },
    ]);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ line: 4 });
    expect(rejects[0]?.key).toContain('aws-region=eu-west-1/year=2026/month=03/day=10/hour=08/');
    expect(rejects[0]?.reason).toContain('us-west-2');
    expect(rejects[0]?.reason).toContain('eu-west-1');
    expect(stored.has('region')).toBe(false);
    expect(stored.has('sublocation_type')).toBe(true);
  });

  it('reads the version 5 example: AWS service names, traffic path and direction', async () => {
    const rows = await rowsOf(
      V5_ACCOUNT,
      'ap-southeast-2',
      'srcaddr, packets, bytes, az_id, instance_id, pkt_src_aws_service, pkt_dst_aws_service, traffic_path, flow_direction, tcp_flags',
      'true',
      'flow_direction DESC',
    );

    expect(rows).toEqual([
      {
        srcaddr: '52.95.128.179',
        packets: 14n,
        bytes: 15044n,
        az_id: 'apse2-az3',
        instance_id: 'i-0c50d5961bcb2d47b',
        pkt_src_aws_service: 'S3',
        pkt_dst_aws_service: null,
        // traffic-path is not reported for ingress.
        traffic_path: null,
        flow_direction: 'ingress',
        tcp_flags: 19,
      },
      {
        srcaddr: '10.0.0.71',
        packets: 7n,
        bytes: 471n,
        az_id: 'apse2-az3',
        instance_id: 'i-0c50d5961bcb2d47b',
        pkt_src_aws_service: null,
        pkt_dst_aws_service: 'S3',
        traffic_path: 8,
        flow_direction: 'egress',
        tcp_flags: 3,
      },
    ]);
  });

  it('reads transit gateway flow logs, default and custom format, into the same table', async () => {
    const rows = await rowsOf(
      TGW_ACCOUNT,
      'us-east-1',
      'version, resource_type, account_id, tgw_id, tgw_attachment_id, tgw_src_vpc_account_id, tgw_dst_vpc_account_id, ' +
        'tgw_src_vpc_id, tgw_dst_eni, tgw_src_az_id, tgw_pair_attachment_id, srcaddr, dstaddr, bytes, log_status, type, ' +
        'packets_lost_no_route, packets_lost_blackhole, packets_lost_mtu_exceeded, packets_lost_ttl_expired, ' +
        'tcp_flags, flow_direction, pkt_dst_aws_service',
      'true',
      'start, tgw_attachment_id',
    );
    const schema = await run.reader.parquetSchema(partitionFile(TGW_ACCOUNT, 'us-east-1'));

    expect(rows).toHaveLength(5);
    expect(rows[0]).toEqual({
      version: 6,
      resource_type: 'TransitGateway',
      account_id: TGW_ACCOUNT,
      tgw_id: 'tgw-0a1b2c3d4e5f60718',
      tgw_attachment_id: 'tgw-attach-0a1b2c3d4e5f60001',
      tgw_src_vpc_account_id: ACCOUNT,
      tgw_dst_vpc_account_id: TGW_ACCOUNT,
      tgw_src_vpc_id: 'vpc-0aaaa1111bbbb2222',
      tgw_dst_eni: 'eni-0a1b2c3d4e5f6b001',
      tgw_src_az_id: 'use1-az1',
      tgw_pair_attachment_id: 'tgw-attach-0a1b2c3d4e5f60002',
      srcaddr: '10.20.33.164',
      dstaddr: '10.40.2.236',
      bytes: 840n,
      log_status: 'OK',
      type: 'IPv4',
      packets_lost_no_route: 0n,
      packets_lost_blackhole: 0n,
      packets_lost_mtu_exceeded: 0n,
      packets_lost_ttl_expired: 0n,
      tcp_flags: 3,
      flow_direction: 'ingress',
      pkt_dst_aws_service: null,
    });
    expect(rows[1]).toMatchObject({
      resource_type: 'TransitGatewayAttachment',
      tgw_src_vpc_account_id: TGW_ACCOUNT,
      tgw_dst_vpc_account_id: ACCOUNT,
      packets_lost_no_route: 3n,
      packets_lost_blackhole: 1n,
      packets_lost_mtu_exceeded: 2n,
      packets_lost_ttl_expired: 4n,
      tcp_flags: 19,
    });
    expect(rows[2]).toMatchObject({
      srcaddr: '2001:db8:40::10',
      type: 'IPv6',
      tgw_dst_vpc_account_id: null,
      pkt_dst_aws_service: 'S3',
      packets_lost_blackhole: 7n,
    });
    expect(rows[3]).toMatchObject({
      log_status: 'SKIPDATA',
      srcaddr: null,
      bytes: null,
      type: null,
      tgw_id: 'tgw-0a1b2c3d4e5f60718',
    });
    // The custom-format object (its own field order, no resource-type).
    expect(rows[4]).toMatchObject({
      resource_type: null,
      tgw_attachment_id: 'tgw-attach-0a1b2c3d4e5f60005',
      srcaddr: '10.60.0.1',
      bytes: 1000n,
      packets_lost_no_route: 1n,
      packets_lost_ttl_expired: 4n,
      tcp_flags: 2,
      flow_direction: 'ingress',
    });
    expect(schema.get('packets_lost_no_route')).toBe('BIGINT');
    // Transit gateway records have no interface or action fields: the partition's file has no such columns.
    const stored = await storedColumns(partitionFile(TGW_ACCOUNT, 'us-east-1'));
    expect(stored.has('interface_id')).toBe(false);
    expect(stored.has('action')).toBe(false);
    expect(stored.has('region')).toBe(false);
    expect(stored.has('tgw_src_vpc_account_id')).toBe(true);
  });

  it('answers top-talkers from the lake across every version', async () => {
    const result = await run.cli('query', 'top-talkers', '--from', DAY, '--to', DAY, '--json');
    const rows = (
      JSON.parse(result.stdout) as { rows: { srcaddr: string; dstaddr: string; total_bytes: number }[] }
    ).rows;
    const expected = await run.reader.rows(
      `SELECT srcaddr, dstaddr, sum(bytes)::DOUBLE AS total_bytes FROM read_parquet('${join(run.lake, 'vpc_flow')}/**/*.parquet', union_by_name = true, hive_partitioning = false) GROUP BY ALL`,
    );
    const pairOf = (row: Record<string, unknown>) =>
      `${String(row.srcaddr)} → ${String(row.dstaddr)}: ${String(row.total_bytes)}`;

    expect(result.code, result.stderr).toBe(0);
    expect(rows.slice(0, 3)).toEqual([
      { srcaddr: '10.0.0.97', dstaddr: '198.51.100.200', total_bytes: 5000000000 },
      // The TCP-flag example's client → server flows: 568 + 100701 + 23294588 + 1260.
      { srcaddr: '52.213.180.42', dstaddr: '10.0.0.62', total_bytes: 23397117 },
      { srcaddr: '10.0.0.62', dstaddr: '52.213.180.42', total_bytes: 376 + 632 + 63388 + 967 },
    ]);
    // Fewer than 50 pairs: the query returns them all, the same totals as a direct aggregation.
    expect(rows.length).toBeLessThan(50);
    expect(rows.map(pairOf).sort()).toEqual(expected.map(pairOf).sort());
  });

  it('lists the flows of an account from every version, in the time zone asked for', async () => {
    const utc = await run.cli(
      'query',
      'flows-for-account',
      '--from',
      DAY,
      '--to',
      DAY,
      '--account',
      ACCOUNT,
      '--param',
      'zone=UTC',
      '--json',
    );
    const jst = await run.cli(
      'query',
      'flows-for-account',
      '--from',
      DAY,
      '--to',
      DAY,
      '--account',
      ACCOUNT,
      '--json',
    );
    const utcRows = (JSON.parse(utc.stdout) as { rows: Record<string, unknown>[] }).rows;
    const jstRows = (JSON.parse(jst.stdout) as { rows: Record<string, unknown>[] }).rows;

    expect(utc.code, utc.stderr).toBe(0);
    // log_status OK only: 32 in us-east-1 (NODATA, SKIPDATA left out) and 2 in eu-west-1.
    expect(utcRows).toHaveLength(34);
    expect(utcRows[0]).toEqual({
      start_local: '2014-12-14 04:06:50',
      end_local: '2014-12-14 04:07:50',
      srcaddr: expect.stringMatching(/^172\.31\./),
      dstaddr: expect.stringMatching(/^172\.31\./),
      dstport: expect.any(Number),
      packets: 20,
      bytes: 4249,
    });
    // The version 4 record of 2026-03-10T08:00:00Z is 17:00 in Tokyo.
    expect(jstRows.find((row) => row.srcaddr === '10.20.0.5')).toMatchObject({
      start_local: '2026-03-10 17:00:00',
      dstport: 5432,
      bytes: 9000,
    });
  });
});
