import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Runtime } from '../../functions/lib/runtime.js';
import { captureMetrics } from './emf.js';
import {
  albRawKey,
  lambdaContext,
  LAKE_URL,
  loadHandlers,
  startLambdaWorld,
  type LambdaWorld,
  type TestHandler,
} from './lambda-harness.js';

const ACCOUNT = '111122223333';

let world: LambdaWorld;
let handlers: Record<'nightly' | 'onConversionEvent', TestHandler>;
let runtime: Runtime;

beforeAll(async () => {
  world = await startLambdaWorld({ RETRY_BUDGET: '1' });
  world.addRaw(albRawKey(ACCOUNT, 'eu-west-1', '2026-11-21'), 'gz');
  world.failWhen((sql) =>
    sql.includes('_raw_lines') ? 'HIVE_BAD_DATA: Error parsing field value' : undefined,
  );
  ({ handlers, runtime } = await loadHandlers(['nightly', 'onConversionEvent']));
});
afterAll(async () => {
  await world.close();
});

describe('the metric the failed-conversions alarm reads', () => {
  it('is sent as the partition fails for good, even if the invocation then runs out of time', async () => {
    await handlers.nightly({ time: '2026-11-22T01:30:00Z' }, lambdaContext());
    const emitted = captureMetrics();
    // After the failure, filling the freed slot hangs until Lambda's timeout ends the invocation.
    const holders = vi
      .spyOn(runtime.deps.slots, 'holders')
      .mockImplementation(() => new Promise(() => undefined));
    void handlers.onConversionEvent(world.finish(world.running()[0]!), lambdaContext());
    await vi.waitFor(async () =>
      expect(
        (
          await runtime.deps.store.get({
            lake: LAKE_URL,
            source: 'alb',
            account: ACCOUNT,
            region: 'eu-west-1',
            date: '2026-11-21',
          })
        )?.state,
      ).toBe('FAILED'),
    );
    await vi.waitFor(() => expect(holders).toHaveBeenCalled());

    expect(world.published).toHaveLength(1);
    expect(emitted.total('ConversionsFailed')).toBe(1);
    holders.mockRestore();
    emitted.restore();
  });
});
