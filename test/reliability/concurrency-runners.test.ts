import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalBookmarks } from '../../shared/bookmarks/local.js';
import { DEMO_ACCOUNTS, DEMO_REGIONS } from '../../shared/demo/seed-demo.js';
import type { SourceName } from '../../shared/sources/types.js';
import {
  backfillArgs,
  parseSummary,
  runCli,
  startCli,
  waitForFile,
  writeConfig,
  type JsonSummary,
} from '../fixtures/cli-runner.js';
import { distinctRowsOf, recordsOf, rowSetOf, writeSmallDemoDay } from '../fixtures/demo-lake.js';
import { LakeRun } from '../fixtures/lake-run.js';

const PLACES = DEMO_ACCOUNTS.flatMap((account) => DEMO_REGIONS.map((region) => ({ account, region })));
const key = (entry: { source: string; account: string; region: string; date: string }) =>
  `${entry.source}/${entry.account}/${entry.region}/${entry.date}`;

interface StatusEntry {
  source: string;
  account: string;
  region: string;
  date: string;
  state: string;
  attempts: number;
}
const statusOf = async (run: LakeRun): Promise<StatusEntry[]> => {
  const result = await run.cli('status', '--json');
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { partitions: StatusEntry[] }).partitions;
};
const actionsOf = (summaries: JsonSummary[]) => {
  const counts: Record<string, number> = {};
  for (const entry of summaries.flatMap((summary) => summary.partitions))
    counts[entry.action] = (counts[entry.action] ?? 0) + 1;
  return counts;
};

/** Writes small demo days of the sources for every demo account and region; returns records per partition. */
async function writeDays(
  run: LakeRun,
  sources: readonly SourceName[],
  days: readonly string[],
): Promise<Map<string, number>> {
  const records = new Map<string, number>();
  for (const source of sources) {
    for (const date of days) {
      for (const place of PLACES) {
        const objects = await writeSmallDemoDay(source, run.raw, { ...place, date });
        records.set(key({ source, ...place, date }), recordsOf(source, objects));
      }
    }
  }
  return records;
}

// Three CLI processes on the same days and workdir, started at once (the first of them starts the
// workdir's dynalite server, the others join it): every partition is converted by exactly one of
// them, the others report it held (skipped) or converted meanwhile (up to date), and the lake holds
// exactly the rows of one runner alone — none twice.
describe('three runners at once on the same days', () => {
  const SOURCES = ['s3_access', 'alb', 'cloudtrail'] as const satisfies readonly SourceName[];
  const DAYS = ['2026-01-20', '2026-01-21'];
  /** 3 sources × 2 accounts × 2 regions × 2 days. */
  const PARTITIONS = 24;
  let run: LakeRun;
  let config: string;
  let records: Map<string, number>;

  beforeAll(async () => {
    run = await LakeRun.create('concurrency-three');
    config = await writeConfig(run.workdir, { sources: [...SOURCES] });
    records = await writeDays(run, SOURCES, DAYS);
  });

  afterAll(async () => {
    await run.close();
  });

  it('converts each partition once and duplicates no row', async () => {
    const args = backfillArgs({ from: DAYS[0] ?? '', to: DAYS[1] ?? '' }, run, '--config', config, '--json');

    const results = await Promise.all([startCli(args).done, startCli(args).done, startCli(args).done]);

    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const summaries = results.map(parseSummary);
    const converted = summaries
      .flatMap((summary) => summary.partitions)
      .filter((e) => e.action === 'converted');
    expect(converted).toHaveLength(PARTITIONS);
    expect(new Set(converted.map(key)).size).toBe(PARTITIONS);
    const counts = actionsOf(summaries);
    expect((counts.skipped ?? 0) + (counts['up-to-date'] ?? 0)).toBe(2 * PARTITIONS);
    expect(
      Object.keys(counts).filter((action) => !['converted', 'skipped', 'up-to-date'].includes(action)),
    ).toEqual([]);
    for (const entry of converted) {
      const expected = records.get(key(entry));
      expect(
        { rowsIn: entry.rowsIn, rowsOut: entry.rowsOut, rowsRejected: entry.rowsRejected },
        key(entry),
      ).toEqual({ rowsIn: expected, rowsOut: expected, rowsRejected: 0 });
    }
    // One attempt per partition: no conversion ran twice.
    const status = await statusOf(run);
    expect(status).toHaveLength(PARTITIONS);
    expect(status.map(({ state, attempts }) => ({ state, attempts }))).toEqual(
      Array(PARTITIONS).fill({ state: 'SUCCEEDED', attempts: 1 }),
    );
    // The lake equals what one runner alone writes (same raw data into a reference lake).
    const refLake = join(run.workdir, 'reference-lake');
    const alone = await runCli(
      backfillArgs(
        { from: DAYS[0] ?? '', to: DAYS[1] ?? '' },
        { raw: run.raw, lake: refLake, workdir: run.workdir },
        '--config',
        config,
        '--json',
      ),
    );
    expect(alone.code, alone.stderr).toBe(0);
    expect(actionsOf([parseSummary(alone)])).toEqual({ converted: PARTITIONS });
    for (const source of SOURCES) {
      const total = [...records]
        .filter(([name]) => name.startsWith(`${source}/`))
        .reduce((sum, [, n]) => sum + n, 0);
      const lake = await rowSetOf(run.reader, join(run.lake, source, '**', '*.parquet'));
      expect(lake.rows, source).toBe(total);
      expect(lake).toEqual(await rowSetOf(run.reader, join(refLake, source, '**', '*.parquet')));
    }
  });
});

// A runner killed while holding a lease: while it lives, another runner leaves its partition alone
// (skipped, exit 0); once it is killed, the next runner of this host takes the partition over at
// once and converts it, and the partitions converted meanwhile are not converted again.
describe('a killed lease holder (cloudtrail)', () => {
  const DAY = '2026-01-25';
  const [HELD] = PLACES;
  let run: LakeRun;
  let config: string;
  let records: Map<string, number>;

  beforeAll(async () => {
    run = await LakeRun.create('concurrency-killed');
    config = await writeConfig(run.workdir, { sources: ['cloudtrail'], leaseSeconds: 300 });
    records = await writeDays(run, ['cloudtrail'], [DAY]);
  });

  afterAll(async () => {
    await run.close();
  });

  it('is skipped while its holder lives and taken over once it is killed', async () => {
    if (!HELD) throw new Error('no demo place');
    const heldKey = key({ source: 'cloudtrail', ...HELD, date: DAY });
    const marker = join(run.workdir, 'holder.marker');
    const holder = startCli(
      backfillArgs(
        { from: DAY, to: DAY },
        run,
        '--account',
        HELD.account,
        '--region',
        HELD.region,
        '--config',
        config,
      ),
      { ATHENA_LOGS_FAULT_POINT: 'before-commit', ATHENA_LOGS_FAULT_MARKER: marker },
    );
    await waitForFile(marker);

    const meanwhile = await run.backfill({ from: DAY, to: DAY }, '--config', config, '--json');
    holder.child.kill('SIGKILL');
    expect((await holder.done).code).toBeNull();
    const takeover = await run.backfill({ from: DAY, to: DAY }, '--config', config, '--json');

    expect(meanwhile.code, meanwhile.stderr).toBe(0);
    const first = parseSummary(meanwhile).partitions;
    expect(
      first
        .filter((entry) => entry.action === 'converted')
        .map(key)
        .sort(),
    ).toEqual([...records.keys()].filter((name) => name !== heldKey).sort());
    expect(first.filter((entry) => entry.action === 'skipped').map(key)).toEqual([heldKey]);
    expect(takeover.code, takeover.stderr).toBe(0);
    const second = parseSummary(takeover).partitions;
    expect(second.filter((entry) => entry.action === 'converted')).toMatchObject([
      {
        account: HELD.account,
        region: HELD.region,
        rowsIn: records.get(heldKey),
        rowsOut: records.get(heldKey),
        rowsRejected: 0,
      },
    ]);
    expect(second.filter((entry) => entry.action === 'up-to-date')).toHaveLength(PLACES.length - 1);
    const status = await statusOf(run);
    expect(
      status
        .map((entry) => ({ key: key(entry), state: entry.state, attempts: entry.attempts }))
        .sort((a, b) => (a.key < b.key ? -1 : 1)),
    ).toEqual(
      [...records.keys()]
        .sort()
        .map((name) => ({ key: name, state: 'SUCCEEDED', attempts: name === heldKey ? 2 : 1 })),
    );
    const glob = join(run.lake, 'cloudtrail', '**', '*.parquet');
    const total = [...records.values()].reduce((sum, n) => sum + n, 0);
    expect((await rowSetOf(run.reader, glob)).rows).toBe(total);
    expect(await distinctRowsOf(run.reader, glob)).toBe(total);
  });
});

// A lease held by a runner of another host that died (its pid cannot be checked from here): the
// partition is skipped while the lease is valid, and converted once it has expired. Time is not
// waited for: the lease's expiry is moved into the past, as if its last renewal were a minute old.
describe('an expired lease of a runner on another host (alb)', () => {
  const DAY = '2026-01-28';
  const [HELD] = PLACES;
  const OWNER = 'another-host:4242:deadbeef';
  let run: LakeRun;
  let config: string;
  let records: Map<string, number>;

  beforeAll(async () => {
    run = await LakeRun.create('concurrency-expired');
    config = await writeConfig(run.workdir, { sources: ['alb'] });
    records = await writeDays(run, ['alb'], [DAY]);
  });

  afterAll(async () => {
    await run.close();
  });

  it('is taken over after it expires', async () => {
    // Prepare: a runner of another host takes a ten-minute lease.
    if (!HELD) throw new Error('no demo place');
    const heldKey = key({ source: 'alb', ...HELD, date: DAY });
    const partition = {
      lake: run.lake,
      source: 'alb',
      account: HELD.account,
      region: HELD.region,
      date: DAY,
    };
    const bookmarks = await openLocalBookmarks(run.workdir);
    const args = ['--source', 'alb', '--account', HELD.account, '--region', HELD.region, '--config', config];
    try {
      const acquired = await bookmarks.store.acquire(partition, {
        owner: OWNER,
        leaseMs: 600_000,
        fingerprint: { objects: 0, bytes: 0, newestModified: '' },
      });
      expect(acquired.acquired).toBe(true);

      // Act: one run while the lease is valid; then the holder dies, its lease expires; one run more.
      const during = await run.backfill({ from: DAY, to: DAY }, ...args, '--json');
      expect(await bookmarks.store.renew(partition, OWNER, 1_000, Date.now() - 60_000)).toBe(true);
      const after = await run.backfill({ from: DAY, to: DAY }, ...args, '--json');

      // Assess
      expect(during.code, during.stderr).toBe(0);
      expect(parseSummary(during).partitions).toMatchObject([
        { action: 'skipped', state: 'SKIPPED', error: null },
      ]);
      expect(after.code, after.stderr).toBe(0);
      expect(parseSummary(after).partitions).toMatchObject([
        {
          action: 'converted',
          rowsIn: records.get(heldKey),
          rowsOut: records.get(heldKey),
          rowsRejected: 0,
        },
      ]);
      // The fingerprint differs from the dead holder's: the attempts restart at 1.
      expect(await statusOf(run)).toMatchObject([{ state: 'SUCCEEDED', attempts: 1 }]);
      expect((await bookmarks.store.get(partition))?.leaseOwner).toBeUndefined();
      expect((await rowSetOf(run.reader, join(run.lake, 'alb', '**', '*.parquet'))).rows).toBe(
        records.get(heldKey),
      );
    } finally {
      bookmarks.close();
    }
  });
});
