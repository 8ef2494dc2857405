import { describe, expect, it } from 'vitest';
import type { Bookmark, BookmarkState, RawFingerprint } from '../../shared/bookmarks/types.js';
import { decide, sameFingerprint, type Decision, type DecideOptions } from '../../shared/plan/decide.js';

const NOW = Date.parse('2024-01-06T03:00:00Z');
const FINGERPRINT: RawFingerprint = { objects: 3, bytes: 12_345, newestModified: '2024-01-05T23:55:00.000Z' };
const OPTIONS: DecideOptions = { retryBudget: 3, backfill: false, retryFailed: false, now: NOW };

function bookmark(state: BookmarkState, fields: Partial<Bookmark> = {}): Bookmark {
  return {
    lake: '/lake',
    source: 'vpc_flow',
    account: '012345678901',
    region: 'us-east-1',
    date: '2024-01-05',
    state,
    attempts: 1,
    fingerprint: { ...FINGERPRINT },
    updatedAt: '2024-01-06T02:00:00.000Z',
    ...fields,
  };
}

describe('decide', () => {
  it.each<[string, Bookmark | undefined, Partial<DecideOptions>, RawFingerprint, Decision]>([
    ['no bookmark', undefined, {}, FINGERPRINT, { action: 'convert', reason: 'new' }],
    [
      'no bookmark, during a backfill',
      undefined,
      { backfill: true },
      FINGERPRINT,
      { action: 'convert', reason: 'new' },
    ],
    ['SUCCEEDED, same fingerprint', bookmark('SUCCEEDED'), {}, FINGERPRINT, { action: 'up-to-date' }],
    [
      'SUCCEEDED, same fingerprint, during a backfill',
      bookmark('SUCCEEDED'),
      { backfill: true },
      FINGERPRINT,
      { action: 'up-to-date' },
    ],
    [
      'SUCCEEDED, one more object',
      bookmark('SUCCEEDED'),
      {},
      { ...FINGERPRINT, objects: 4 },
      { action: 'convert', reason: 'late-data' },
    ],
    [
      'SUCCEEDED, bytes changed',
      bookmark('SUCCEEDED'),
      {},
      { ...FINGERPRINT, bytes: 12_346 },
      { action: 'convert', reason: 'late-data' },
    ],
    [
      'SUCCEEDED, newer object',
      bookmark('SUCCEEDED'),
      {},
      { ...FINGERPRINT, newestModified: '2024-01-06T01:00:00.000Z' },
      { action: 'convert', reason: 'late-data' },
    ],
    [
      'SUCCEEDED without a stored fingerprint',
      bookmark('SUCCEEDED', { fingerprint: undefined }),
      {},
      FINGERPRINT,
      { action: 'convert', reason: 'late-data' },
    ],
    ['PENDING', bookmark('PENDING'), {}, FINGERPRINT, { action: 'convert', reason: 'pending' }],
    [
      'RUNNING, live lease',
      bookmark('RUNNING', { leaseOwner: 'runner-a', leaseExpiresAt: NOW + 60_000 }),
      {},
      FINGERPRINT,
      { action: 'held', holder: 'runner-a' },
    ],
    [
      'RUNNING, live lease, fingerprint changed',
      bookmark('RUNNING', { leaseOwner: 'runner-a', leaseExpiresAt: NOW + 1 }),
      {},
      { ...FINGERPRINT, objects: 9 },
      { action: 'held', holder: 'runner-a' },
    ],
    [
      'RUNNING, live lease, during a backfill',
      bookmark('RUNNING', { leaseOwner: 'runner-a', leaseExpiresAt: NOW + 60_000 }),
      { backfill: true, retryFailed: true },
      FINGERPRINT,
      { action: 'held', holder: 'runner-a' },
    ],
    [
      'RUNNING, live lease of a holder known to be dead',
      bookmark('RUNNING', { leaseOwner: 'host:4242:dead', leaseExpiresAt: NOW + 60_000 }),
      { isDeadOwner: (owner) => owner === 'host:4242:dead' },
      FINGERPRINT,
      { action: 'convert', reason: 'holder-died' },
    ],
    [
      'RUNNING, live lease of a holder alive',
      bookmark('RUNNING', { leaseOwner: 'host:4242:alive', leaseExpiresAt: NOW + 60_000 }),
      { isDeadOwner: () => false },
      FINGERPRINT,
      { action: 'held', holder: 'host:4242:alive' },
    ],
    [
      'RUNNING, expired lease',
      bookmark('RUNNING', { leaseOwner: 'runner-a', leaseExpiresAt: NOW - 1 }),
      {},
      FINGERPRINT,
      { action: 'convert', reason: 'lease-expired' },
    ],
    [
      'RUNNING, no lease recorded',
      bookmark('RUNNING', { leaseOwner: 'runner-a' }),
      {},
      FINGERPRINT,
      { action: 'convert', reason: 'lease-expired' },
    ],
    [
      'FAILED, within budget (1 of 3)',
      bookmark('FAILED', { attempts: 1 }),
      {},
      FINGERPRINT,
      { action: 'convert', reason: 'retry' },
    ],
    [
      'FAILED, within budget (2 of 3)',
      bookmark('FAILED', { attempts: 2 }),
      {},
      FINGERPRINT,
      { action: 'convert', reason: 'retry' },
    ],
    [
      'FAILED, budget spent (3 of 3)',
      bookmark('FAILED', { attempts: 3 }),
      {},
      FINGERPRINT,
      { action: 'failed-final', attempts: 3 },
    ],
    [
      'FAILED, budget overspent (5 of 3)',
      bookmark('FAILED', { attempts: 5 }),
      {},
      FINGERPRINT,
      { action: 'failed-final', attempts: 5 },
    ],
    [
      'FAILED, budget spent, backfill',
      bookmark('FAILED', { attempts: 3 }),
      { backfill: true },
      FINGERPRINT,
      { action: 'convert', reason: 'backfill' },
    ],
    [
      'FAILED, budget spent, --retry-failed',
      bookmark('FAILED', { attempts: 3 }),
      { retryFailed: true },
      FINGERPRINT,
      { action: 'convert', reason: 'retry' },
    ],
    [
      'FAILED, budget spent, fingerprint changed',
      bookmark('FAILED', { attempts: 3 }),
      {},
      { ...FINGERPRINT, bytes: 1 },
      { action: 'convert', reason: 'late-data' },
    ],
    [
      'FAILED, budget spent, fingerprint changed, backfill',
      bookmark('FAILED', { attempts: 7 }),
      { backfill: true },
      { ...FINGERPRINT, objects: 1 },
      { action: 'convert', reason: 'late-data' },
    ],
    [
      'FAILED, budget of 1 spent',
      bookmark('FAILED', { attempts: 1 }),
      { retryBudget: 1 },
      FINGERPRINT,
      { action: 'failed-final', attempts: 1 },
    ],
  ])('%s', (_label, current, options, fingerprint, expected) => {
    // Act
    const decision = decide(current, fingerprint, { ...OPTIONS, ...options });
    // Assess
    expect(decision).toEqual(expected);
  });
});

describe('sameFingerprint', () => {
  it.each<[string, RawFingerprint | undefined, boolean]>([
    ['identical', { ...FINGERPRINT }, true],
    ['undefined', undefined, false],
    ['objects differ', { ...FINGERPRINT, objects: 2 }, false],
    ['bytes differ', { ...FINGERPRINT, bytes: 0 }, false],
    ['newest differs', { ...FINGERPRINT, newestModified: '' }, false],
  ])('%s → %s', (_label, stored, expected) => {
    expect(sameFingerprint(stored, FINGERPRINT)).toBe(expected);
  });
});
