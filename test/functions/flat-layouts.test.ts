import { GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../functions/lib/runtime.js';
import { LINES_STORAGE, table } from '../catalog/glue-fixtures.js';
import {
  asTestHandler,
  lambdaContext,
  LAKE_URL,
  startLambdaWorld,
  type LambdaWorld,
  type TestHandler,
} from './lambda-harness.js';

const ACCOUNT = '111122223333';
const CLOUDFRONT_TABLES = [
  table('cloudfront'),
  table('cloudfront_raw'),
  table('cloudfront_raw_lines', LINES_STORAGE),
];

let world: LambdaWorld;
let handlers: Record<'nightly' | 'backfill' | 'onConversionEvent', TestHandler>;
let runtime: Runtime;
const glueSend = GlueClient.prototype.send;

beforeAll(async () => {
  world = await startLambdaWorld({
    SOURCES: 'alb,cloudfront',
    S3_PREFIXES: JSON.stringify({ cloudfront: 'cloudfront/' }),
  });
  // The harness's catalog serves the alb and vpc_flow tables: add CloudFront's.
  const served = GlueClient.prototype.send;
  GlueClient.prototype.send = function (this: GlueClient, command: unknown, ...rest: unknown[]) {
    if (command instanceof GetTableCommand) {
      const found = CLOUDFRONT_TABLES.find((candidate) => candidate.Name === command.input.Name);
      if (found) return Promise.resolve({ Table: found });
    }
    return (served as (...args: unknown[]) => unknown).call(this, command, ...rest);
  } as typeof GlueClient.prototype.send;
  world.addRaw(
    `AWSLogs/${ACCOUNT}/elasticloadbalancing/eu-west-1/2026/11/21/${ACCOUNT}_elasticloadbalancing_eu-west-1_app.web.0f1e2d3c4b5a6978_20261121T0005Z_10.0.0.1_x1.log.gz`,
    'gz',
  );
  world.addRaw('cloudfront/EMLARXS9EXAMPLE.2026-11-21-05.abcd1234.gz', 'gz');
  handlers = {
    nightly: asTestHandler((await import('../../functions/nightly.js')).handler),
    backfill: asTestHandler((await import('../../functions/backfill.js')).handler),
    onConversionEvent: asTestHandler((await import('../../functions/on-conversion-event.js')).handler),
  };
  runtime = (await import('../../functions/lib/runtime.js')).runtime();
});
afterAll(async () => {
  GlueClient.prototype.send = glueSend;
  await world.close();
});

async function deliverAll(): Promise<void> {
  while (world.running().length > 0)
    await handlers.onConversionEvent(world.finish(world.running()[0]!), lambdaContext());
}

describe('CloudFront logs (keys that name no account) with no flatLayouts configured', () => {
  it('are converted once under unknown/global, and a backfill naming an account does not file them again', async () => {
    await handlers.nightly({ time: '2026-11-22T01:30:00Z' }, lambdaContext());
    await deliverAll();
    await handlers.backfill({ from: '2026-11-21', to: '2026-11-21', account: ACCOUNT }, lambdaContext());
    await deliverAll();

    const cloudfront = await runtime.deps.store.list({ lake: LAKE_URL, source: 'cloudfront' });
    expect(cloudfront.map((b) => [b.account, b.region, b.date, b.state])).toEqual([
      ['unknown', 'global', '2026-11-21', 'SUCCEEDED'],
    ]);
    expect([...world.locations.keys()].filter((key) => key.startsWith('cloudfront|'))).toEqual([
      'cloudfront|unknown/global/2026/11/21',
    ]);
    // The account's own ALB day was converted again by the backfill (a fresh retry budget), once.
    expect(await runtime.deps.store.list({ lake: LAKE_URL, source: 'alb' })).toHaveLength(1);
  });
});
