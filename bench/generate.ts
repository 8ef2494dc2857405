/**
 * Writes a realistic VPC flow corpus laid out like the S3 bucket (see bench/corpus.ts), e.g. to try
 * the CLI on more data than the demo's:
 *
 *   npm run build && node dist/bench/generate.js --out /tmp/raw --size-mb 50 --accounts 3 --regions 2 --days 7
 *   npx athena-logs backfill --raw /tmp/raw --from 2026-11-01 --to 2026-11-07
 */
import { resolve } from 'node:path';
import { benchArgs } from './args.js';
import { corpusDays, ensureCorpus } from './corpus.js';

const args = benchArgs({
  out: '',
  'size-mb': 50,
  files: 0,
  accounts: 2,
  regions: 2,
  days: 3,
  interfaces: 300,
  'first-day': '2026-11-01',
});
if (!args.out) {
  console.error('generate: --out <folder> is required.');
  process.exit(2);
}
const shape = {
  sizeMb: args['size-mb'],
  accounts: args.accounts,
  regions: args.regions,
  days: args.days,
  // One object per partition unless told otherwise.
  files: args.files || args.accounts * args.regions * args.days,
  firstDay: args['first-day'],
  interfaces: args.interfaces,
};
const files = await ensureCorpus(resolve(args.out), shape);
const days = corpusDays(shape);
console.log(`${files.length} gzip objects under ${resolve(args.out)} for ${days[0]}..${days.at(-1)}`);
