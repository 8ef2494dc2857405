import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../functions/lib/runtime.js';
import {
  lambdaContext,
  LAKE_URL,
  loadHandlers,
  startLambdaWorld,
  type LambdaWorld,
  type TestHandler,
} from './lambda-harness.js';

let world: LambdaWorld;
let backfill: TestHandler;
let runtime: Runtime;

beforeAll(async () => {
  world = await startLambdaWorld({
    SOURCES: 'alb,cloudfront,s3_access',
    S3_PREFIXES: JSON.stringify({ cloudfront: 'cloudfront/', s3_access: 's3-access/' }),
  });
  ({
    handlers: { backfill },
    runtime,
  } = await loadHandlers(['backfill']));
});
afterAll(async () => {
  await world.close();
});

describe('the alert of a partition that failed for good', () => {
  // CloudFront and S3 access logs in the simple layout name no account (nor region): on AWS their
  // partitions are `unknown` (and CloudFront's region `global`), as the raw keys give them.
  it.each([
    ['cloudfront', 'unknown', 'global'],
    ['s3_access', 'unknown', 'unknown'],
    ['alb', '111122223333', 'eu-west-1'],
  ])(
    'of %s %s/%s gives a backfill payload the backfill function accepts',
    async (source, account, region) => {
      world.published.splice(0);
      await runtime.deps.observer.failed(
        {
          lake: LAKE_URL,
          source,
          account,
          region,
          date: '2026-11-20',
          state: 'FAILED',
          attempts: 2,
          updatedAt: '2026-11-21T02:00:00.000Z',
        },
        'HIVE_BAD_DATA: Error parsing field value',
      );
      const message = world.published[0]?.Message ?? '';
      const payload = /invoke the backfill function with (\{.*\})\./.exec(message)?.[1];
      expect(payload).toBeDefined();

      const result = (await backfill(JSON.parse(payload!), lambdaContext())) as { from: string; to: string };

      expect(result).toMatchObject({ from: '2026-11-20', to: '2026-11-20' });
    },
  );
});
