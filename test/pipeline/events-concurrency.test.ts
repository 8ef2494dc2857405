import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBookmarkTable } from '../../shared/bookmarks/bookmark-table.js';
import { ConversionStore } from '../../shared/bookmarks/conversion-store.js';
import { InFlightSlots } from '../../shared/bookmarks/in-flight-slots.js';
import { onRunEnded } from '../../shared/pipeline/events/continue-conversion.js';
import { startPending } from '../../shared/pipeline/events/start-pending.js';
import { startMemoryDynalite } from '../bookmarks/helpers.js';
import { eventDeps, LAKE_URL, memoryStore, queueDay, scriptedEngine } from './events-fixtures.js';

const CAP = 3;

let dynamo: Awaited<ReturnType<typeof startMemoryDynalite>>;
beforeAll(async () => {
  dynamo = await startMemoryDynalite();
  await ensureBookmarkTable(dynamo.client, 'events_concurrency');
});
afterAll(async () => {
  await dynamo.close();
});

describe('event-driven conversions under concurrent invocations', () => {
  it('never exceed the cap and start each partition once, though starters and duplicated events race', async () => {
    const scripted = scriptedEngine();
    const store = new ConversionStore(dynamo.client, 'events_concurrency');
    const slots = new InFlightSlots(dynamo.client, 'events_concurrency', LAKE_URL, CAP);
    const deps = eventDeps({ store, slots, engine: scripted.engine, objects: memoryStore() });
    const dates = Array.from({ length: 10 }, (_, index) => `2026-11-${String(index + 10).padStart(2, '0')}`);
    for (const date of dates) await queueDay(deps, date);
    const running = async () =>
      (await store.list({ lake: LAKE_URL, source: 'alb' })).filter(
        (bookmark) => bookmark.state === 'RUNNING',
      );

    const firstWave = await Promise.all(Array.from({ length: 5 }, () => startPending(deps)));

    expect(firstWave.reduce((sum, summary) => sum + summary.started, 0)).toBe(CAP);
    expect(await running()).toHaveLength(CAP);
    expect(await slots.holders()).toHaveLength(CAP);
    let peak = CAP;
    while ((await running()).length > 0) {
      const runIds = (await running()).map((bookmark) => bookmark.activeRunId!);
      for (const runId of runIds) scripted.state.ended.add(runId);
      // Each end delivered twice at once (EventBridge delivers at least once), each followed by a starter.
      const outcomes = await Promise.all(
        runIds.flatMap((runId) => [runId, runId]).map((runId) => onRunEnded(deps, runId)),
      );
      expect(outcomes.filter((outcome) => outcome === 'succeeded')).toHaveLength(runIds.length);
      await Promise.all(runIds.map(() => startPending(deps)));
      peak = Math.max(peak, (await running()).length, (await slots.holders()).length);
    }

    expect(peak).toBe(CAP);
    expect((await store.list({ lake: LAKE_URL, source: 'alb' })).map((bookmark) => bookmark.state)).toEqual(
      dates.map(() => 'SUCCEEDED'),
    );
    expect([...scripted.state.startsByPartition.values()]).toEqual(dates.map(() => 1));
    expect(await slots.holders()).toEqual([]);
  });
});
