import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConversionEngine } from '../../engines/types.js';
import type { DiscoveredPartition } from '../../plan/discover.js';
import { localPathOf } from '../../storage/local-folder.js';
import { commitPartition, stageRejects } from '../commit.js';
import {
  DATA_FILE_NAME,
  REJECTS_FILE_NAME,
  dataFolder,
  rejectsFolder,
  stagingFolder,
} from '../lake-layout.js';
import { markRunFolder, removeStaleRunFolders } from './local-run-folders.js';
import type { ConversionTarget, StagedVersion } from './types.js';

export interface LocalTargetOptions {
  engine: ConversionEngine;
  rawRoot: string;
  lake: string;
  scratchRoot: string;
  concurrency: number;
  runnerId: string;
}

/** The embedded target: raw and lake are local folders; a rename makes a version current. */
export function localTarget(options: LocalTargetOptions): ConversionTarget {
  return {
    async beginRun(runId, conversions) {
      await removeStaleRunFolders(join(options.lake, '_staging'), Date.now());
      await removeStaleRunFolders(options.scratchRoot, Date.now());
      if (conversions === 0) return;
      await markRunFolder(stagingFolder(options.lake, runId), options.runnerId);
      await markRunFolder(join(options.scratchRoot, runId), options.runnerId);
      await options.engine.prepare?.({ conversions, concurrency: options.concurrency });
    },
    async endRun(runId) {
      await rm(stagingFolder(options.lake, runId), { recursive: true, force: true });
      await rm(join(options.scratchRoot, runId), { recursive: true, force: true });
    },
    async describe(partition: DiscoveredPartition) {
      const bytes = partition.objects.reduce((sum, object) => sum + object.size, 0);
      const target = join(dataFolder(options.lake, partition.source.name, partition), DATA_FILE_NAME);
      return [
        `read ${partition.objects.length} raw object(s), ${bytes} bytes, below ${options.rawRoot}`,
        `convert with DuckDB into ${stagingFolder(options.lake, '<run>')}/…/data.parquet`,
        `rename it over ${target} (rejects: ${join(rejectsFolder(options.lake, partition.source.name, partition), REJECTS_FILE_NAME)})`,
      ];
    },
    async stage(partition: DiscoveredPartition, runId: string): Promise<StagedVersion> {
      const name = `${partition.source.name}-${partition.account}-${partition.region}-${partition.date}`;
      const staging = join(stagingFolder(options.lake, runId), name);
      const scratchDir = join(options.scratchRoot, runId, name);
      const cleanUp = async (): Promise<void> => {
        await rm(staging, { recursive: true, force: true }).catch(() => undefined);
        await rm(scratchDir, { recursive: true, force: true }).catch(() => undefined);
      };
      try {
        await mkdir(staging, { recursive: true });
        await mkdir(scratchDir, { recursive: true });
        const stagedDataFile = join(staging, 'data.parquet');
        const stagedRejectsFile = join(staging, 'rejects.jsonl');
        const result = await options.engine.convert({
          source: partition.source,
          partition,
          objects: partition.objects,
          pathOf: (objectKey) => localPathOf(options.rawRoot, objectKey),
          scratchDir,
          stagedDataFile,
        });
        await rm(scratchDir, { recursive: true, force: true });
        await stageRejects(stagedRejectsFile, result.rejects);
        return {
          figures: {
            rowsIn: result.rowsIn,
            rowsOut: result.rowsOut,
            rowsRejected: result.rowsRejected,
            bytesIn: result.bytesIn,
          },
          commit: () =>
            commitPartition({
              lake: options.lake,
              source: partition.source.name,
              partition,
              stagedDataFile,
              stagedRejectsFile,
              rejectCount: result.rejects.length,
            }),
          cleanUp,
        };
      } catch (error) {
        await cleanUp();
        throw error;
      }
    },
  };
}
