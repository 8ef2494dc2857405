import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../shared/errors.js';
import { addDays, daysBetween, parseDay, yesterdayUtc } from '../../shared/plan/dates.js';

describe('parseDay', () => {
  it.each(['2024-02-29', '2026-12-31', '2000-01-01'])('accepts the real day %s unchanged', (day) => {
    expect(parseDay(day, '--date')).toBe(day);
  });

  it.each<[string, string]>([
    ['2026-02-30', '--from'],
    ['2025-02-29', '--to'],
    ['2026-13-01', '--date'],
    ['2026-04-31', '--date'],
    ['2026-1-05', '--from'],
    ['26-01-05', '--from'],
    ['yesterday', '--date'],
    ['', '--to'],
  ])('rejects %j with a UsageError naming %s', (value, flag) => {
    // Act
    let caught: unknown;
    try {
      parseDay(value, flag);
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as UsageError).message).toContain(flag);
    expect((caught as UsageError).message).toContain(`"${value}"`);
    expect((caught as UsageError).field).toBe(flag);
  });
});

describe('daysBetween', () => {
  it.each<[string, string, string[]]>([
    ['2024-01-05', '2024-01-05', ['2024-01-05']],
    ['2024-02-27', '2024-03-01', ['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']],
    ['2023-02-27', '2023-03-01', ['2023-02-27', '2023-02-28', '2023-03-01']],
    ['2024-12-30', '2025-01-02', ['2024-12-30', '2024-12-31', '2025-01-01', '2025-01-02']],
    // Days around a European and an American DST change stay whole UTC days.
    ['2024-03-09', '2024-03-11', ['2024-03-09', '2024-03-10', '2024-03-11']],
    ['2024-10-26', '2024-10-28', ['2024-10-26', '2024-10-27', '2024-10-28']],
  ])('%s..%s is inclusive', (from, to, expected) => {
    expect(daysBetween(from, to)).toEqual(expected);
  });

  it('lists a whole leap year', () => {
    const days = daysBetween('2024-01-01', '2024-12-31');
    expect(days).toHaveLength(366);
    expect(new Set(days).size).toBe(366);
  });

  it('fails with a UsageError when from is after to', () => {
    expect(() => daysBetween('2024-01-06', '2024-01-05')).toThrow(UsageError);
    expect(() => daysBetween('2024-01-06', '2024-01-05')).toThrow(/2024-01-06.*2024-01-05/);
  });
});

describe('addDays', () => {
  it.each<[string, number, string]>([
    ['2024-02-28', 1, '2024-02-29'],
    ['2024-03-01', -1, '2024-02-29'],
    ['2024-12-31', 1, '2025-01-01'],
    ['2024-01-05', 0, '2024-01-05'],
    ['2024-01-05', -5, '2023-12-31'],
  ])('%s %+d → %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });
});

describe('yesterdayUtc', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each<[string, string]>([
    ['2024-03-01T00:00:00.000Z', '2024-02-29'],
    ['2024-03-01T00:00:00.001Z', '2024-02-29'],
    ['2024-03-01T23:59:59.999Z', '2024-02-29'],
    ['2024-02-29T23:59:59.999Z', '2024-02-28'],
    ['2025-01-01T00:00:00.000Z', '2024-12-31'],
    ['2024-12-31T23:59:59.999Z', '2024-12-30'],
  ])('at %s is %s', (now, expected) => {
    expect(yesterdayUtc(new Date(now))).toBe(expected);
  });

  it.each(['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Europe/Berlin'])(
    'does not depend on the local time zone (%s)',
    (zone) => {
      // Prepare: a local zone far from UTC, around midnight UTC.
      vi.stubEnv('TZ', zone);
      expect(new Date('2024-07-01T00:30:00Z').getTimezoneOffset()).not.toBe(0);

      // Act + Assess
      expect(yesterdayUtc(new Date('2024-07-01T00:30:00Z'))).toBe('2024-06-30');
      expect(yesterdayUtc(new Date('2024-07-01T23:30:00Z'))).toBe('2024-06-30');
    },
  );

  it('defaults to the current time', () => {
    const before = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const result = yesterdayUtc();
    const after = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

    expect([before, after]).toContain(result);
  });
});
