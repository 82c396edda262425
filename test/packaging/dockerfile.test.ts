import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { parse } from 'yaml';
import { filesUnder, importSpecifiers } from '../helpers/import-boundary';
import { parseMessages, SHARED_PROTOCOL_PATH, VENDORED_PROTOCOL_PATH } from '../helpers/protocol';

const root = path.resolve(__dirname, '../..');
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  scripts: Record<string, string>;
};
/** Folders of dev tools (the Twilio simulator) and their build output: never in the image. */
const DEV_TOOL_FOLDERS = ['tools', 'dist-tools'];

/** The value of the last instruction of a kind, with JSON-array or plain arguments. */
function instructions(keyword: string): string[] {
  return dockerfile
    .split('\n')
    .filter((line) => line.startsWith(`${keyword} `))
    .map((line) => line.slice(keyword.length + 1).trim());
}

describe('packaging: the Dockerfile, checked statically (no Docker engine here)', () => {
  it('builds in stages from a pinned, current Node LTS slim image', () => {
    const bases = instructions('FROM').map((line) => line.split(/\s+/)[0] as string);
    expect(bases.length).to.be.greaterThan(1);
    for (const base of bases) {
      expect(base).to.match(/^node:(\d+)\.(\d+)(\.\d+)?-[a-z]+-slim$/);
      expect(Number(/^node:(\d+)/.exec(base)?.[1]) % 2, 'an even (LTS) major').to.equal(0);
      expect(Number(/^node:(\d+)/.exec(base)?.[1])).to.be.at.least(22);
    }
    expect(new Set(bases).size, 'the build and runtime stages run the same Node').to.equal(1);
  });

  it('runs as a non-root user', () => {
    const users = instructions('USER');
    expect(users.length).to.be.greaterThan(0);
    expect(users[users.length - 1]).to.not.match(/^(root|0)$/);
  });

  it('sets AIRBYTE_ENTRYPOINT to the ENTRYPOINT, and the io.airbyte labels to the package version', () => {
    const entrypoint = JSON.parse(instructions('ENTRYPOINT').at(-1) ?? '[]') as string[];
    const env = instructions('ENV').find((line) => line.startsWith('AIRBYTE_ENTRYPOINT='));
    expect(env).to.equal(`AIRBYTE_ENTRYPOINT="${entrypoint.join(' ')}"`);
    for (const part of entrypoint) expect(part, "ENTRYPOINT parts are absolute paths").to.match(/^\//);
    expect(instructions('LABEL')).to.include(`io.airbyte.name=airbyte/${packageJson.name}`);
    expect(instructions('LABEL')).to.include(`io.airbyte.version=${packageJson.version}`);
  });

  it('its io.airbyte labels equal metadata.yaml dockerRepository and dockerImageTag (CAT test_image_labels)', () => {
    const metadata = parse(readFileSync(path.join(root, 'metadata.yaml'), 'utf8')) as { data: { dockerRepository: string; dockerImageTag: string } };
    const labels = instructions('LABEL');
    expect(labels.filter((label) => label.startsWith('io.airbyte.name='))).to.deep.equal([`io.airbyte.name=${metadata.data.dockerRepository}`]);
    expect(labels.filter((label) => label.startsWith('io.airbyte.version='))).to.deep.equal([`io.airbyte.version=${metadata.data.dockerImageTag}`]);
  });

  it('copies what the entrypoint needs: dist, spec.json, schemas and the runtime dependencies', () => {
    expect(dockerfile).to.match(/COPY --from=build \/app\/dist \.\/dist/);
    expect(dockerfile).to.match(/COPY package\.json spec\.json \.\//);
    expect(dockerfile).to.match(/COPY schemas \.\/schemas/);
    expect(dockerfile).to.match(/npm prune --omit=dev/);
    expect(packageJson.bin['source-twilio-costs']).to.equal('dist/main.js');
  });

  it('its ENTRYPOINT command, run against the build laid out as in the image, answers spec', () => {
    const entrypoint = JSON.parse(instructions('ENTRYPOINT').at(-1) ?? '[]') as string[];
    const workdir = instructions('WORKDIR').at(-1) as string;
    // The image's working directory is the package root: map the absolute path onto this checkout.
    const script = path.join(root, path.relative(workdir, entrypoint[1] as string));
    const result = spawnSync(process.execPath, [script, 'spec'], { encoding: 'utf8', cwd: '/' });
    expect(result.status).to.equal(0);
    const messages = parseMessages(result.stdout);
    expect(messages.map((message) => message.type)).to.deep.equal(['SPEC']);
  });
});

/** The source paths of the COPY instructions that read the build context (not another stage). */
function contextCopySources(): string[] {
  return instructions('COPY')
    .filter((line) => !line.startsWith('--from='))
    .flatMap((line) => {
      const parts = line.startsWith('[') ? (JSON.parse(line) as string[]) : line.split(/\s+/).filter((part) => !part.startsWith('--'));
      return parts.slice(0, -1);
    });
}

describe('packaging: the image holds no Twilio simulator', () => {
  it('.dockerignore keeps the dev tools and their build output out of the build context', () => {
    const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim().replace(/^\/|\/$/g, ''));
    for (const folder of DEV_TOOL_FOLDERS) expect(ignored, folder).to.include(folder);
  });

  it('no COPY takes the whole context or a dev tool folder', () => {
    const sources = contextCopySources();
    expect(sources).to.include('source-twilio-costs');
    for (const source of sources) {
      const normalised = path.posix.normalize(source).replace(/\/$/, '');
      expect(normalised, `COPY ${source}`).to.not.equal('.');
      expect(normalised, `COPY ${source}`).to.not.match(/[*?[]/);
      for (const folder of DEV_TOOL_FOLDERS) expect(normalised.split('/')[0], `COPY ${source}`).to.not.equal(folder);
    }
  });

  it('the image build compiles the connector alone: tsconfig.json, whose files are all under source-twilio-costs/', () => {
    const runs = instructions('RUN').join('\n');
    expect(runs).to.match(/npm run build:connector\b/);
    expect(runs, 'npm run build also builds the simulator').to.not.match(/npm run build(?![:\w-])/);
    expect(packageJson.scripts['build:connector']).to.match(/tsc -p tsconfig\.json$/);
    const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
    expect(config?.errors).to.deep.equal([]);
    expect(config?.options.rootDir).to.equal(path.join(root, 'source-twilio-costs'));
    const outside = (config?.fileNames ?? []).filter((file) => path.relative(path.join(root, 'source-twilio-costs'), file).startsWith('..'));
    expect(config?.fileNames).to.not.be.empty;
    expect(outside).to.deep.equal([]);
  });

  it('the built dist/ the image copies holds only the output of source-twilio-costs/ files, no simulator', () => {
    const dist = path.join(root, 'dist');
    const built = filesUnder(dist).map((file) => path.relative(dist, file));
    expect(built).to.include('main.js');
    const orphans = built.filter((file) => {
      const output = file.replace(/\.map$/, '');
      const source = output.endsWith('.js') ? output.replace(/\.js$/, '.ts') : output;
      return !existsSync(path.join(root, 'source-twilio-costs', source));
    });
    expect(orphans, 'files in dist/ with no source in source-twilio-costs/ (a stale or foreign build?)').to.deep.equal([]);
    expect(built.filter((file) => /simulator/i.test(file))).to.deep.equal([]);
  });
});

/** The string and template literals of a script, as the compiler reads them (comments excluded). */
function stringLiterals(text: string): string[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  const literals: string[] = [];
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    if (token === ts.SyntaxKind.StringLiteral || token === ts.SyntaxKind.NoSubstitutionTemplateLiteral || token === ts.SyntaxKind.TemplateHead) literals.push(scanner.getTokenValue());
  }
  return literals;
}

describe('packaging: the vendored protocol schema', () => {
  it('is identical to the shared official copy, when that copy is beside the checkout', function () {
    if (!existsSync(SHARED_PROTOCOL_PATH)) this.skip();
    expect(readFileSync(VENDORED_PROTOCOL_PATH, 'utf8')).to.equal(readFileSync(SHARED_PROTOCOL_PATH, 'utf8'));
  });

  it('reaches the image build, which generates the protocol message types from it before compiling', () => {
    const vendored = path.relative(root, VENDORED_PROTOCOL_PATH);
    const ignoreLines = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n').map((line) => line.trim());
    expect(ignoreLines, '.dockerignore lets the schema into the build context').to.include(`!${vendored}`);
    const copied = dockerfile.indexOf(`COPY ${vendored} `);
    expect(copied, `the build stage copies ${vendored}`).to.be.greaterThan(-1);
    expect(copied, 'before the build that generates the types').to.be.lessThan(dockerfile.indexOf('npm run build:connector'));
    expect(packageJson.scripts['build:connector']).to.match(/^npm run gen &&/);
  });

  it('is never read by the built connector: nothing in dist/ loads a YAML parser or names a .yaml file', () => {
    const built = filesUnder(path.join(root, 'dist')).filter((file) => file.endsWith('.js'));
    expect(built).to.not.be.empty;
    for (const file of built) {
      const text = readFileSync(file, 'utf8');
      expect(importSpecifiers(text), file).to.not.include('yaml');
      expect(stringLiterals(text).filter((literal) => /\.ya?ml\b/.test(literal)), file).to.deep.equal([]);
    }
  });
});

describe('packaging: the Airbyte docs page', () => {
  it("docs/source-twilio-costs.md has the sections Airbyte docs carry and names every stream", () => {
    const docs = readFileSync(path.join(root, 'docs/source-twilio-costs.md'), 'utf8');
    for (const heading of ['## Prerequisites', '## Setup guide', '## Supported sync modes', '## Supported streams', '## Limitations', '## Changelog']) {
      expect(docs, heading).to.include(`\n${heading}\n`);
    }
    const { streams } = JSON.parse(readFileSync(path.join(root, 'integration_tests/configured_catalog.json'), 'utf8')) as { streams: Array<{ stream: { name: string } }> };
    for (const { stream } of streams) expect(docs, stream.name).to.include(`\`${stream.name}\``);
    expect(docs).to.include(`| ${packageJson.version} |`);
  });
});
