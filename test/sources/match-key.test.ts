import { describe, expect, it } from 'vitest';
import { matchKey, type KeyMatch } from '../../shared/sources/index.js';
import { isRealDate } from '../../shared/sources/match-key.js';
import { vpcFlow } from '../../shared/sources/vpc-flow.js';

const FILE = '012345678901_vpcflowlogs_us-east-1_fl-0abc1234d_20240105T0010Z_1a2b3c4d.log.gz';

describe('matchKey(vpc_flow)', () => {
  it.each<[string, string, KeyMatch]>([
    [
      'plain layout',
      `AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/01/05/${FILE}`,
      { layout: 'plain', account: '123456789012', region: 'us-east-1', date: '2024-01-05' },
    ],
    [
      'plain layout, account with leading zeros',
      `AWSLogs/000000000042/vpcflowlogs/eu-west-3/2023/12/31/${FILE}`,
      { layout: 'plain', account: '000000000042', region: 'eu-west-3', date: '2023-12-31' },
    ],
    [
      'plain layout, bucket prefix of several levels',
      `flow-logs/prod/AWSLogs/123456789012/vpcflowlogs/ap-southeast-2/2024/02/29/${FILE}`,
      { layout: 'plain', account: '123456789012', region: 'ap-southeast-2', date: '2024-02-29' },
    ],
    [
      'plain layout, organisation level',
      `AWSLogs/o-a1b2c3d4e5/012345678901/vpcflowlogs/us-gov-west-1/2024/10/01/${FILE}`,
      { layout: 'plain', account: '012345678901', region: 'us-gov-west-1', date: '2024-10-01' },
    ],
    [
      'plain layout, prefix and organisation level',
      `central/AWSLogs/o-exampleorgid12345/123456789012/vpcflowlogs/eu-central-1/2024/07/15/${FILE}`,
      { layout: 'plain', account: '123456789012', region: 'eu-central-1', date: '2024-07-15' },
    ],
    [
      'Hive layout',
      `AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2024/month=01/day=05/${FILE}`,
      { layout: 'hive', account: '123456789012', region: 'us-east-1', date: '2024-01-05' },
    ],
    [
      'Hive layout with hour',
      `AWSLogs/aws-account-id=012345678901/aws-service=vpcflowlogs/aws-region=us-west-2/year=2024/month=11/day=30/hour=23/${FILE}`,
      { layout: 'hive', account: '012345678901', region: 'us-west-2', date: '2024-11-30' },
    ],
    [
      'Hive layout with organisation level',
      `AWSLogs/o-a1b2c3d4e5/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=sa-east-1/year=2025/month=03/day=09/${FILE}`,
      { layout: 'hive', account: '123456789012', region: 'sa-east-1', date: '2025-03-09' },
    ],
    [
      'Hive layout with prefix, organisation level and hour',
      `logs/AWSLogs/o-a1b2c3d4e5/aws-account-id=000123456789/aws-service=vpcflowlogs/aws-region=me-central-1/year=2024/month=06/day=01/hour=00/${FILE}`,
      { layout: 'hive', account: '000123456789', region: 'me-central-1', date: '2024-06-01' },
    ],
  ])('%s', (_label, key, expected) => {
    // Prepare: the key as listed relative to the raw root.
    // Act
    const match = matchKey(vpcFlow, key);
    // Assess
    expect(match).toEqual(expected);
  });

  it('keeps the account id as a string with its leading zero', () => {
    const match = matchKey(vpcFlow, `AWSLogs/012345678901/vpcflowlogs/us-east-1/2024/01/05/${FILE}`);

    expect(typeof match?.account).toBe('string');
    expect(match?.account).toBe('012345678901');
  });

  it.each<[string, string]>([
    ['wrong service (CloudTrail)', `AWSLogs/123456789012/CloudTrail/us-east-1/2024/01/05/${FILE}`],
    [
      'wrong service (elasticloadbalancing)',
      `AWSLogs/123456789012/elasticloadbalancing/us-east-1/2024/01/05/${FILE}`,
    ],
    [
      'wrong service in the Hive layout',
      `AWSLogs/aws-account-id=123456789012/aws-service=cloudtrail/aws-region=us-east-1/year=2024/month=01/day=05/${FILE}`,
    ],
    ['11-digit account', `AWSLogs/12345678901/vpcflowlogs/us-east-1/2024/01/05/${FILE}`],
    ['13-digit account', `AWSLogs/1234567890123/vpcflowlogs/us-east-1/2024/01/05/${FILE}`],
    [
      '11-digit account in the Hive layout',
      `AWSLogs/aws-account-id=12345678901/aws-service=vpcflowlogs/aws-region=us-east-1/year=2024/month=01/day=05/${FILE}`,
    ],
    ['impossible date 2024-02-30', `AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/02/30/${FILE}`],
    [
      'impossible date 2023-02-29 (not a leap year)',
      `AWSLogs/123456789012/vpcflowlogs/us-east-1/2023/02/29/${FILE}`,
    ],
    [
      'impossible date 2024-04-31 in the Hive layout',
      `AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2024/month=04/day=31/${FILE}`,
    ],
    ['month 13', `AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/13/05/${FILE}`],
    ['month 00', `AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/00/05/${FILE}`],
    ['day 32', `AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/01/32/${FILE}`],
    ['single-digit month', `AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/1/05/${FILE}`],
    ['missing file name', 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/01/05/'],
    ['day folder only, no slash', 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/01/05'],
    [
      'missing file name in the Hive layout',
      'AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2024/month=01/day=05/hour=01/',
    ],
    ['extra folder below the day', `AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/01/05/extra/${FILE}`],
    [
      'single-digit hour in the Hive layout',
      `AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2024/month=01/day=05/hour=1/${FILE}`,
    ],
    ['no AWSLogs folder', `123456789012/vpcflowlogs/us-east-1/2024/01/05/${FILE}`],
    ['AWSLogs as part of a folder name', `myAWSLogs/123456789012/vpcflowlogs/us-east-1/2024/01/05/${FILE}`],
    ['organisation id too short', `AWSLogs/o-abc/123456789012/vpcflowlogs/us-east-1/2024/01/05/${FILE}`],
    ['not a region', `AWSLogs/123456789012/vpcflowlogs/useast1/2024/01/05/${FILE}`],
    [
      'CloudTrail key',
      'AWSLogs/123456789012/CloudTrail/us-east-1/2024/01/05/123456789012_CloudTrail_us-east-1_20240105T0000Z_AbCdEfGhIjKlMnOp.json.gz',
    ],
    [
      'CloudTrail digest key',
      'AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2024/01/05/123456789012_CloudTrail-Digest_us-east-1_x.json.gz',
    ],
  ])('does not match: %s', (_label, key) => {
    // Act
    const match = matchKey(vpcFlow, key);
    // Assess
    expect(match).toBeUndefined();
  });
});

describe('isRealDate', () => {
  it.each<[string, boolean]>([
    ['2024-02-29', true],
    ['2024-12-31', true],
    ['2024-02-30', false],
    ['2023-02-29', false],
    ['2024-13-01', false],
    ['2024-1-01', false],
    ['20240101', false],
    ['', false],
  ])('%s → %s', (date, expected) => {
    expect(isRealDate(date)).toBe(expected);
  });
});
