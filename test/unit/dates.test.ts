import { expect } from 'chai';

import { addDays, eachDay, firstOfMonthBefore, isValidDay, monthWindows, rfc2822ToIso } from '../../source-twilio-costs/dates';

describe('dates: UTC days', () => {
  it('validates real calendar days only', () => {
    expect(isValidDay('2024-02-29')).to.equal(true);
    expect(isValidDay('2025-02-29')).to.equal(false);
    expect(isValidDay('2025-13-01')).to.equal(false);
    expect(isValidDay('25-01-01')).to.equal(false);
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2025-12-31', 1)).to.equal('2026-01-01');
    expect(addDays('2024-03-01', -1)).to.equal('2024-02-29');
  });

  it('finds the first of the month 12 months back', () => {
    expect(firstOfMonthBefore('2026-11-25', 12)).to.equal('2025-11-01');
    expect(firstOfMonthBefore('2026-01-31', 1)).to.equal('2025-12-01');
  });

  it('splits a range at month boundaries, covering every day once', () => {
    const windows = monthWindows('2025-01-15', '2025-03-02');
    expect(windows).to.deep.equal([
      { from: '2025-01-15', to: '2025-01-31' },
      { from: '2025-02-01', to: '2025-02-28' },
      { from: '2025-03-01', to: '2025-03-02' },
    ]);
    expect(windows.flatMap(eachDay)).to.have.length(47);
    expect(monthWindows('2025-02-01', '2025-01-31')).to.deep.equal([]);
  });

  it('turns RFC 2822 timestamps into RFC 3339', () => {
    expect(rfc2822ToIso('Thu, 30 Jul 2015 20:00:00 +0000')).to.equal('2015-07-30T20:00:00Z');
    expect(rfc2822ToIso('garbage')).to.equal(null);
    expect(rfc2822ToIso(null)).to.equal(null);
  });
});
