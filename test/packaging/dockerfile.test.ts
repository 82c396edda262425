import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { expect } from 'chai';
import ts from 'typescript';
import { parse } from 'yaml';

import { SAMPLE_MAIN_ACCOUNT_SID, SAMPLE_MAIN_AUTH_TOKEN, sampleDataset } from '../../tools/simulator/dataset';
import { type RunningSimulator, startSimulator } from '../../tools/simulator/server';
import { filesUnder, importSpecifiers } from '../helpers/import-boundary';
import { type Message, parseMessages, recordsOf, SHARED_PROTOCOL_PATH, VENDORED_PROTOCOL_PATH } from '../helpers/protocol';

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

/** The arguments of every instruction of a kind (of `text`, the whole Dockerfile by default), as written. */
function instructions(keyword: string, text = dockerfile): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${keyword} `))
    .map((line) => line.slice(keyword.length + 1).trim());
}

/** The last stage of the Dockerfile: what the image holds. */
const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

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
    for (const part of entrypoint) expect(part, 'ENTRYPOINT parts are absolute paths').to.match(/^\//);
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
});

/**
 * The image's runtime stage laid out in a temporary directory: its node_modules from a production
 * install (`npm ci` with the omissions the build stage prunes with), its dist/ from this checkout's
 * build, and what it copies from the context. What the image holds, without a Docker engine.
 */
describe('packaging: the ENTRYPOINT, run against a production install laid out as the image', function () {
  this.timeout(180_000);
  let scratch: string;
  let image: string;
  let simulator: RunningSimulator;
  const workdir = instructions('WORKDIR', runtimeStage).at(-1) as string;
  const entrypoint = JSON.parse(instructions('ENTRYPOINT', runtimeStage).at(-1) ?? '[]') as string[];
  const imageEnv = Object.fromEntries(instructions('ENV', runtimeStage).map((line) => line.split('=', 2) as [string, string]));

  before(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'twilio-costs-image-'));
    const install = path.join(scratch, 'install');
    mkdirSync(path.join(install, 'scripts'), { recursive: true });
    // package.json names scripts/prepare.js, which npm runs after the install: it must do nothing there.
    for (const file of ['package.json', 'package-lock.json', 'scripts/prepare.js']) cpSync(path.join(root, file), path.join(install, file));
    const omitted = /npm prune ((?:--omit=\S+\s*)+)/.exec(dockerfile)?.[1]?.trim().split(/\s+/) ?? [];
    expect(omitted, 'the build stage prunes the dev dependencies').to.include('--omit=dev');
    const installed = spawnSync('npm', ['ci', ...omitted, '--no-audit', '--no-fund', '--prefer-offline'], { cwd: install, encoding: 'utf8' });
    expect(installed.status, installed.stderr).to.equal(0);
    image = path.join(scratch, 'image');
    mkdirSync(image);
    const buildOutput = (stagePath: string): string => (stagePath === '/app/node_modules' ? path.join(install, 'node_modules') : path.join(root, path.relative('/app', stagePath)));
    for (const line of instructions('COPY', runtimeStage)) {
      const parts = line.split(/\s+/);
      const destination = path.join(image, parts.at(-1) as string);
      const fromBuild = parts[0]?.startsWith('--from=') === true;
      const sources = parts.slice(fromBuild ? 1 : 0, -1).map((source) => (fromBuild ? buildOutput(source) : path.join(root, source)));
      for (const source of sources) cpSync(source, sources.length > 1 || destination.endsWith('/') ? path.join(destination, path.basename(source)) : destination, { recursive: true });
    }
    simulator = await startSimulator({ dataset: sampleDataset() });
    writeFileSync(
      path.join(scratch, 'config.json'),
      JSON.stringify({ account_sid: SAMPLE_MAIN_ACCOUNT_SID, credentials: { auth_type: 'auth_token', auth_token: SAMPLE_MAIN_AUTH_TOKEN }, start_date: '2026-10-01', end_date: '2026-10-01' }),
    );
    const streams = ['usage_costs', 'usage_categories'].map((name) => ({ stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' }));
    writeFileSync(path.join(scratch, 'catalog.json'), JSON.stringify({ streams }));
  });
  after(async () => {
    await simulator?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** The ENTRYPOINT with these arguments, its absolute paths mapped onto the laid-out image. */
  async function runEntrypoint(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const [node, script] = entrypoint as [string, string];
    expect(node).to.equal('/usr/local/bin/node');
    const child = spawn(process.execPath, [path.join(image, path.relative(workdir, script)), ...args], {
      cwd: '/',
      env: { PATH: process.env.PATH ?? '', ...imageEnv, TWILIO_API_BASE_URL: simulator.baseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { status, stdout, stderr };
  }

  it('holds the runtime dependencies only: no dev dependency, no DuckDB, no simulator', () => {
    const modules = filesUnder(path.join(image, 'node_modules')).map((file) => path.relative(path.join(image, 'node_modules'), file));
    for (const absent of ['typescript/', 'mocha/', 'json-schema-to-typescript/', '@duckdb/', 'yaml/'])
      expect(
        modules.some((file) => file.startsWith(absent)),
        absent,
      ).to.equal(false);
    expect(modules.some((file) => file.startsWith('winston/'))).to.equal(true);
    expect(filesUnder(image).filter((file) => /simulator/i.test(file))).to.deep.equal([]);
  });

  it('answers spec, check and a read of the simulator', async () => {
    const spec = await runEntrypoint('spec');
    expect(spec.status, spec.stderr).to.equal(0);
    expect(parseMessages(spec.stdout).map((message) => message.type)).to.deep.equal(['SPEC']);
    const check = await runEntrypoint('check', '--config', path.join(scratch, 'config.json'));
    expect(check.status, check.stderr).to.equal(0);
    expect(parseMessages(check.stdout).find((message) => message.type === 'CONNECTION_STATUS')?.connectionStatus.status).to.equal('SUCCEEDED');
    const read = await runEntrypoint('read', '--config', path.join(scratch, 'config.json'), '--catalog', path.join(scratch, 'catalog.json'));
    expect(read.status, read.stderr).to.equal(0);
    const messages: Message[] = parseMessages(read.stdout);
    expect(recordsOf(messages, 'usage_costs').length).to.be.greaterThan(0);
    expect(recordsOf(messages, 'usage_categories').length).to.be.greaterThan(0);
  });

  it('says what sync needs, since the image leaves DuckDB out', async () => {
    const sync = await runEntrypoint('sync', '--config', path.join(scratch, 'config.json'), '--duckdb', path.join(scratch, 'costs.duckdb'));
    expect(sync.status).to.equal(1);
    expect(sync.stderr).to.match(/^sync: sync needs the optional package @duckdb\/node-api, which is not installed here/);
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
    expect(config?.fileNames).to.have.lengthOf.above(0);
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

  it('is a build input outside test/, and reaches the image build, which generates the protocol message types from it before compiling', () => {
    const vendored = path.relative(root, VENDORED_PROTOCOL_PATH);
    expect(vendored).to.equal(path.join('vendor', 'airbyte', 'airbyte_protocol.yaml'));
    const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim().replace(/^\/|\/$/g, ''));
    for (const pattern of ['vendor', 'vendor/airbyte', vendored, '*']) expect(ignored, `.dockerignore lets the schema into the build context (${pattern})`).to.not.include(pattern);
    const copied = dockerfile.indexOf(`COPY ${vendored} `);
    expect(copied, `the build stage copies ${vendored}`).to.be.greaterThan(-1);
    expect(copied, 'before the build that generates the types').to.be.lessThan(dockerfile.indexOf('npm run build:connector'));
    expect(packageJson.scripts['build:connector']).to.match(/^npm run gen &&/);
  });

  it('is never read by the built connector: nothing in dist/ loads a YAML parser or names a .yaml file', () => {
    const built = filesUnder(path.join(root, 'dist')).filter((file) => file.endsWith('.js'));
    expect(built).to.have.lengthOf.above(0);
    for (const file of built) {
      const text = readFileSync(file, 'utf8');
      expect(importSpecifiers(text), file).to.not.include('yaml');
      expect(
        stringLiterals(text).filter((literal) => /\.ya?ml\b/.test(literal)),
        file,
      ).to.deep.equal([]);
    }
  });
});

describe('packaging: the Airbyte docs page', () => {
  it('docs/source-twilio-costs.md has the sections Airbyte docs carry and names every stream', () => {
    const docs = readFileSync(path.join(root, 'docs/source-twilio-costs.md'), 'utf8');
    for (const heading of ['## Prerequisites', '## Setup guide', '## Supported sync modes', '## Supported streams', '## Limitations', '## Changelog']) {
      expect(docs, heading).to.include(`\n${heading}\n`);
    }
    const { streams } = JSON.parse(readFileSync(path.join(root, 'integration_tests/configured_catalog.json'), 'utf8')) as { streams: Array<{ stream: { name: string } }> };
    for (const { stream } of streams) expect(docs, stream.name).to.include(`\`${stream.name}\``);
    expect(docs).to.include(`| ${packageJson.version} |`);
  });
});
