import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { expect } from 'chai';

import { crossings, importsInto, importSpecifiers, ROOT, sourceFilesUnder } from '../helpers/import-boundary';

const PRODUCT = path.join(ROOT, 'source-twilio-costs');
const SIMULATOR = path.join(ROOT, 'tools/simulator');
const DEV_TOOLS = [path.join(ROOT, 'tools'), path.join(ROOT, 'dist-tools')];

describe('import boundaries between the connector and the simulator', () => {
  it('the simulator imports nothing from source-twilio-costs/ (it plays Twilio on its own)', () => {
    expect(sourceFilesUnder(SIMULATOR)).to.have.lengthOf.above(0);
    expect(crossings(SIMULATOR, PRODUCT)).to.deep.equal([]);
  });

  it('no connector file imports the simulator or any other dev tool (the image does not hold them)', () => {
    expect(sourceFilesUnder(PRODUCT)).to.have.lengthOf.above(0);
    expect(DEV_TOOLS.flatMap((tools) => crossings(PRODUCT, tools))).to.deep.equal([]);
  });

  describe('the scan itself', () => {
    it('reads every form of import, and not imports mentioned in comments or strings', () => {
      const text = [
        "import json from '../costs/twilio-categories.json';",
        "import type { Decimal } from '../money';",
        "export { parseDecimal } from '../money';",
        "const late = import('../late');",
        "const old = require('../old');",
        "// import notThis from '../commented';",
        'const text = "import alsoNot from \'../in-a-string\'";',
      ].join('\n');
      expect(importSpecifiers(text)).to.deep.equal(['../costs/twilio-categories.json', '../money', '../money', '../late', '../old']);
    });

    it('flags a specifier that resolves into the folder, or names it as a package, and nothing else', () => {
      const folder = mkdtempSync(path.join(tmpdir(), 'import-boundary-'));
      const product = path.join(folder, 'source-twilio-costs');
      const file = path.join(folder, 'tools/simulator/dataset.ts');
      const imports = [
        "import { a } from './prng';",
        "import { b } from '../../source-twilio-costs/money';",
        "import { c } from '../../source-twilio-costs-elsewhere/money';",
        "const d = require('source-twilio-costs/dist/money');",
        "import { e } from 'node:path';",
      ].join('\n');
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, imports);
      expect(importsInto(file, product)).to.deep.equal(['../../source-twilio-costs/money', 'source-twilio-costs/dist/money']);
    });
  });
});
