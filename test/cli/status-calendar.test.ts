import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatCalendar, wantsColour, type CalendarEntry } from '../../bin/cli/calendar.js';

const ESC = String.fromCharCode(27);
const A = '111122223333';
const B = '444455556666';

const entry = (
  source: string,
  account: string,
  region: string,
  date: string,
  state: CalendarEntry['state'],
): CalendarEntry => ({ source, account, region, date, state });

const BOOKMARKS: CalendarEntry[] = [
  entry('vpc_flow', A, 'eu-west-1', '2026-10-30', 'SUCCEEDED'),
  entry('vpc_flow', A, 'eu-west-2', '2026-10-30', 'FAILED'),
  entry('vpc_flow', A, 'eu-west-1', '2026-10-31', 'SUCCEEDED'),
  entry('vpc_flow', B, 'eu-west-1', '2026-11-01', 'RUNNING'),
  entry('vpc_flow', B, 'eu-west-1', '2026-11-01', 'PENDING'),
  entry('cloudtrail', A, 'eu-west-1', '2026-10-31', 'PENDING'),
  entry('cloudtrail', A, 'eu-west-1', '2026-11-02', 'SUCCEEDED'),
];

describe('the status calendar', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('draws one block per month, one row per source, the worst state of each day', () => {
    const text = formatCalendar(BOOKMARKS, { colour: false });

    expect(text.split('\n')).toEqual([
      '2026-10                           33',
      '                                  01',
      'cloudtrail (1 account, 1 region)  ·P',
      'vpc_flow (2 accounts, 2 regions)  FS',
      '',
      '2026-11                           00',
      '                                  12',
      'cloudtrail (1 account, 1 region)  ·S',
      'vpc_flow (2 accounts, 2 regions)  R·',
      '',
      'S succeeded  F failed  R running  P pending  · none (a day shows the worst state of its partitions)',
    ]);
  });

  it('writes no control characters unless asked to colour, and colours each state when asked', () => {
    const plain = formatCalendar(BOOKMARKS, { colour: false });
    const coloured = formatCalendar(BOOKMARKS, { colour: true });

    expect(plain).not.toContain(ESC);
    expect(coloured).toContain('\u001b[31mF\u001b[0m');
    expect(coloured).toContain('\u001b[32mS\u001b[0m');
    expect(coloured.replace(new RegExp(`${ESC}\\[[0-9]+m`, 'g'), '')).toBe(plain);
  });

  it('is empty without bookmarks', () => {
    expect(formatCalendar([], { colour: false })).toBe('');
  });

  it('colours only a terminal, and never when NO_COLOR is set', () => {
    vi.stubEnv('NO_COLOR', '');
    const terminal = wantsColour({ isTTY: true });
    const pipe = wantsColour({ isTTY: false });
    vi.stubEnv('NO_COLOR', '1');
    const refused = wantsColour({ isTTY: true });

    expect([terminal, pipe, refused]).toEqual([true, false, false]);
  });
});
