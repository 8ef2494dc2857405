import type { HeaderField, ScalarType } from './types.js';

/**
 * One flow-log field: header spelling as AWS writes it in the first line, Athena column name
 * (the header with `-` → `_`, as in the Athena user guide's CREATE TABLE), type, and the format
 * version that introduced it.
 */
function field(
  header: string,
  type: ScalarType,
  version: number,
  description: string,
  extra: Pick<HeaderField, 'servedByPartition'> = {},
): HeaderField {
  return { header, name: header.replaceAll('-', '_'), type, version, description, ...extra };
}

/**
 * Version 2: the default format, in its delivery order (an object without a header line is read
 * with exactly these fields). Types follow the Athena guide: ports int, protocol/counters/times bigint.
 */
const V2_FIELDS: readonly HeaderField[] = [
  field(
    'version',
    'int',
    2,
    'Flow log version: 2 for the default format, else the highest version among the fields.',
  ),
  field(
    'account-id',
    'string',
    2,
    'Account owning the interface (or transit gateway); `unknown` for some AWS-managed interfaces.',
  ),
  field(
    'interface-id',
    'string',
    2,
    'Network interface ID; `-` for regional NAT gateway flows (see resource_id).',
  ),
  field(
    'srcaddr',
    'string',
    2,
    'Source address (IPv4 or IPv6); for outgoing traffic, the interface address.',
  ),
  field(
    'dstaddr',
    'string',
    2,
    'Destination address (IPv4 or IPv6); for incoming traffic, the interface address.',
  ),
  field('srcport', 'int', 2, 'Source port.'),
  field('dstport', 'int', 2, 'Destination port.'),
  field('protocol', 'bigint', 2, 'IANA protocol number (6 TCP, 17 UDP, 1 ICMP).'),
  field('packets', 'bigint', 2, 'Packets transferred during the flow.'),
  field('bytes', 'bigint', 2, 'Bytes transferred during the flow.'),
  field(
    'start',
    'bigint',
    2,
    'First packet of the flow within the aggregation interval, Unix seconds (UTC).',
  ),
  field('end', 'bigint', 2, 'Last packet of the flow within the aggregation interval, Unix seconds (UTC).'),
  field('action', 'string', 2, 'ACCEPT or REJECT.'),
  field('log-status', 'string', 2, 'OK, NODATA (no traffic in the interval) or SKIPDATA (records skipped).'),
];

/** Version 3: VPC metadata, TCP flags, traffic type and packet-level addresses. */
const V3_FIELDS: readonly HeaderField[] = [
  field('vpc-id', 'string', 3, 'VPC of the interface.'),
  field('subnet-id', 'string', 3, 'Subnet of the interface.'),
  field(
    'instance-id',
    'string',
    3,
    'Instance of the interface, if you own it; `-` for requester-managed interfaces.',
  ),
  field(
    'tcp-flags',
    'int',
    3,
    'Bitmask of TCP flags OR-ed over the interval: FIN 1, SYN 2, RST 4, SYN-ACK 18.',
  ),
  field('type', 'string', 3, 'Traffic type: IPv4, IPv6 or EFA.'),
  field('pkt-srcaddr', 'string', 3, 'Packet-level (original) source address, e.g. behind a NAT gateway.'),
  field('pkt-dstaddr', 'string', 3, 'Packet-level (original) destination address.'),
];

/** Version 4: location. `region` is served by the partition column of that name. */
const V4_FIELDS: readonly HeaderField[] = [
  field('region', 'string', 4, 'Region of the interface: served by the region partition column.', {
    servedByPartition: 'region',
  }),
  field('az-id', 'string', 4, 'Availability Zone ID of the interface; `-` for a sublocation.'),
  field('sublocation-type', 'string', 4, 'Sublocation type: wavelength, outpost or localzone.'),
  field('sublocation-id', 'string', 4, 'ID of the sublocation of the interface.'),
];

/** Version 5: AWS service names, direction and egress path. */
const V5_FIELDS: readonly HeaderField[] = [
  field(
    'pkt-src-aws-service',
    'string',
    5,
    'AWS service (IP range subset) of pkt-srcaddr, e.g. S3, EC2, AMAZON.',
  ),
  field('pkt-dst-aws-service', 'string', 5, 'AWS service (IP range subset) of pkt-dstaddr.'),
  field('flow-direction', 'string', 5, 'ingress or egress, relative to the interface.'),
  field(
    'traffic-path',
    'int',
    5,
    'Egress path: 1 same VPC, 2 internet gateway or gateway endpoint, 3 virtual private gateway, 4 intra-region peering, 5 inter-region peering, 6 local gateway, 7 gateway endpoint (Nitro), 8 internet gateway (Nitro).',
  ),
];

/** Version 7: Amazon ECS task metadata, in the reference's order. */
const V7_FIELDS: readonly HeaderField[] = [
  field('ecs-cluster-arn', 'string', 7, 'ARN of the ECS cluster of the task.'),
  field('ecs-cluster-name', 'string', 7, 'Name of the ECS cluster of the task.'),
  field('ecs-container-instance-arn', 'string', 7, 'ARN of the ECS container instance (EC2 launch type).'),
  field('ecs-container-instance-id', 'string', 7, 'ID of the ECS container instance (EC2 launch type).'),
  field('ecs-container-id', 'string', 7, 'Docker runtime ID of the first container of the task.'),
  field('ecs-second-container-id', 'string', 7, 'Docker runtime ID of the second container of the task.'),
  field('ecs-service-name', 'string', 7, 'ECS service that started the task.'),
  field('ecs-task-definition-arn', 'string', 7, 'ARN of the ECS task definition.'),
  field('ecs-task-arn', 'string', 7, 'ARN of the ECS task.'),
  field('ecs-task-id', 'string', 7, 'ID of the ECS task.'),
];

/** Versions 8–11: reject reason, regional NAT gateway, encryption status, tags and next hop. */
const V8_TO_V11_FIELDS: readonly HeaderField[] = [
  field(
    'reject-reason',
    'string',
    8,
    'Why the traffic was rejected: BPA (block public access) or EC (encryption controls); `-` otherwise.',
  ),
  field(
    'resource-id',
    'string',
    9,
    'ID of the resource the flow belongs to when it has no interface (a regional NAT gateway).',
  ),
  field(
    'encryption-status',
    'int',
    10,
    'Encryption in transit: 0 cleartext, 1 Nitro-encrypted, 2 application-encrypted, 3 both.',
  ),
  field(
    'instance-tag',
    'string',
    11,
    'Value of the first instance tag named in the flow log (percent-encoded UTF-8).',
  ),
  field('instance-tag-2', 'string', 11, 'Value of the second instance tag named in the flow log.'),
  field('interface-tag', 'string', 11, 'Value of the first network-interface tag named in the flow log.'),
  field('interface-tag-2', 'string', 11, 'Value of the second network-interface tag named in the flow log.'),
  field('asg-tag', 'string', 11, 'Value of the first Auto Scaling group tag named in the flow log.'),
  field('asg-tag-2', 'string', 11, 'Value of the second Auto Scaling group tag named in the flow log.'),
  field(
    'interface-type',
    'string',
    11,
    'Type of the capturing interface, e.g. nat_gateway, network_load_balancer, transit_gateway.',
  ),
  field(
    'next-hop-interface-id',
    'string',
    11,
    'Interface of the next hop (receiver for egress, sender for ingress).',
  ),
  field('next-hop-subnet-id', 'string', 11, 'Subnet of the next-hop interface.'),
  field('next-hop-az-id', 'string', 11, 'Availability Zone ID of the next-hop interface.'),
  field('next-hop-vpc-id', 'string', 11, 'VPC of the next-hop interface.'),
  field('next-hop-interface-type', 'string', 11, 'Type of the next-hop interface.'),
];

/**
 * Fields only transit gateway flow logs carry (all introduced in their version 6), in the order of
 * the Transit Gateway guide's table. Shared fields (srcaddr, tcp-flags, region …) are the VPC ones.
 */
const TRANSIT_GATEWAY_FIELDS: readonly HeaderField[] = [
  field(
    'resource-type',
    'string',
    6,
    'Transit gateway flow logs: TransitGateway or TransitGatewayAttachment.',
  ),
  field('tgw-id', 'string', 6, 'Transit gateway flow logs: the transit gateway.'),
  field(
    'tgw-attachment-id',
    'string',
    6,
    'Transit gateway flow logs: the attachment the traffic was recorded on.',
  ),
  field('tgw-src-vpc-account-id', 'string', 6, 'Transit gateway flow logs: account of the source VPC.'),
  field('tgw-dst-vpc-account-id', 'string', 6, 'Transit gateway flow logs: account of the destination VPC.'),
  field('tgw-src-vpc-id', 'string', 6, 'Transit gateway flow logs: source VPC.'),
  field('tgw-dst-vpc-id', 'string', 6, 'Transit gateway flow logs: destination VPC.'),
  field('tgw-src-subnet-id', 'string', 6, 'Transit gateway flow logs: subnet of the source traffic.'),
  field('tgw-dst-subnet-id', 'string', 6, 'Transit gateway flow logs: subnet of the destination traffic.'),
  field('tgw-src-eni', 'string', 6, 'Transit gateway flow logs: source attachment interface.'),
  field('tgw-dst-eni', 'string', 6, 'Transit gateway flow logs: destination attachment interface.'),
  field('tgw-src-az-id', 'string', 6, 'Transit gateway flow logs: Availability Zone ID of the source.'),
  field('tgw-dst-az-id', 'string', 6, 'Transit gateway flow logs: Availability Zone ID of the destination.'),
  field(
    'tgw-pair-attachment-id',
    'string',
    6,
    'Transit gateway flow logs: the egress or ingress attachment paired with tgw-attachment-id.',
  ),
  field('packets-lost-no-route', 'bigint', 6, 'Transit gateway flow logs: packets lost for want of a route.'),
  field(
    'packets-lost-blackhole',
    'bigint',
    6,
    'Transit gateway flow logs: packets lost to a blackhole route.',
  ),
  field(
    'packets-lost-mtu-exceeded',
    'bigint',
    6,
    'Transit gateway flow logs: packets lost for exceeding the MTU.',
  ),
  field('packets-lost-ttl-expired', 'bigint', 6, 'Transit gateway flow logs: packets lost to TTL expiry.'),
];

/**
 * Every field a VPC or transit gateway flow-log header may name: the VPC user guide's "Available
 * fields" (versions 2–11) in reference order, then the transit-gateway-only fields (version 6).
 * Both log types land in the one vpc_flow table, a column per field; fields absent from an object's
 * header are NULL. Existing columns keep their position; new AWS fields are appended.
 */
export const VPC_FLOW_FIELDS: readonly HeaderField[] = [
  ...V2_FIELDS,
  ...V3_FIELDS,
  ...V4_FIELDS,
  ...V5_FIELDS,
  ...V7_FIELDS,
  ...V8_TO_V11_FIELDS,
  ...TRANSIT_GATEWAY_FIELDS,
];
