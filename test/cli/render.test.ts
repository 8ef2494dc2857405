import { describe, expect, it } from 'vitest';
import { formatTable } from '../../bin/cli/render.js';

describe('formatTable', () => {
  it('writes timestamps in ISO 8601 UTC, NULL as -, structs as JSON, and right-aligns numbers', () => {
    const text = formatTable(
      ['at', 'who', 'n'],
      [
        [new Date('2026-11-19T09:55:08.878Z'), { arn: 'arn:aws:iam::1:user/a', hits: 2n }, 7],
        [null, undefined, 12],
      ],
    );

    expect(text.split('\n')).toEqual([
      'at                        who                                          n',
      '------------------------  ------------------------------------------  --',
      '2026-11-19T09:55:08.878Z  {"arn":"arn:aws:iam::1:user/a","hits":"2"}   7',
      '-                         -                                           12',
    ]);
  });
});
