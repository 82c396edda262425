import { expect } from 'chai';
import { CategorySpellings } from '../../../source-twilio-costs/streams/usage-costs';

describe('usage_costs: categories named as Twilio spells them', () => {
  it('spells a costs-layer name, its residual and its parent as Twilio sent the category, and leaves the others', () => {
    const spellings = new CategorySpellings();
    spellings.add('Usage-RCS-Messages');
    spellings.add('sms');
    expect(spellings.spell('usage-rcs-messages')).to.equal('Usage-RCS-Messages');
    expect(spellings.spell('usage-rcs-messages:unattributed')).to.equal('Usage-RCS-Messages:unattributed');
    expect(spellings.spell('sms')).to.equal('sms');
    expect(spellings.spell('calls')).to.equal('calls');
    expect(spellings.spell('unattributed')).to.equal('unattributed');
    expect(spellings.spell(null)).to.equal(null);
  });

  it('takes the first spelling in code-point order when Twilio sent two, whatever came first', () => {
    const later = new CategorySpellings();
    later.add('usage-rcs-messages');
    later.add('Usage-RCS-Messages');
    const earlier = new CategorySpellings();
    earlier.add('Usage-RCS-Messages');
    earlier.add('usage-rcs-messages');
    expect([later.spell('usage-rcs-messages'), earlier.spell('usage-rcs-messages')]).to.deep.equal(['Usage-RCS-Messages', 'Usage-RCS-Messages']);
  });
});
