import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { expect } from 'chai';
import { parse } from 'yaml';

import { DEFAULT_TWILIO_API_BASE_URL } from '../../source-twilio-costs/twilio/base-url';
import { DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_RETRY_POLICY } from '../../source-twilio-costs/twilio/client';
import { readJson, ROOT } from './harness';

/**
 * The parts of Airbyte's ConnectorMetadataDefinitionV0 (airbyte-connector-models) a source uses:
 * its required keys, enums and formats. Like the real schema, it refuses unknown keys at the root
 * and in `data`.
 */
const METADATA_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['metadataSpecVersion', 'data'],
  properties: {
    metadataSpecVersion: { type: 'string' },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'definitionId', 'connectorType', 'dockerRepository', 'dockerImageTag', 'license', 'documentationUrl', 'githubIssueLabel', 'connectorSubtype', 'releaseStage'],
      properties: {
        name: { type: 'string' },
        icon: { type: 'string' },
        definitionId: { type: 'string', format: 'uuid' },
        connectorType: { enum: ['destination', 'source'] },
        connectorSubtype: { enum: ['api', 'database', 'datalake', 'file', 'custom', 'message_queue', 'unknown', 'vectorstore'] },
        dockerRepository: { type: 'string' },
        dockerImageTag: { type: 'string' },
        documentationUrl: { type: 'string', format: 'uri' },
        githubIssueLabel: { type: 'string' },
        license: { type: 'string' },
        releaseStage: { enum: ['alpha', 'beta', 'generally_available', 'custom'] },
        supportLevel: { enum: ['community', 'certified', 'archived'] },
        releaseDate: { type: 'string', format: 'date' },
        protocolVersion: { type: 'string' },
        maxSecondsBetweenMessages: { type: 'integer' },
        allowedHosts: { type: 'object', properties: { hosts: { type: 'array', items: { type: 'string' } } } },
        suggestedStreams: { type: 'object', properties: { streams: { type: 'array', items: { type: 'string' } } } },
        tags: { type: 'array', items: { type: 'string' } },
        registryOverrides: {
          type: 'object',
          additionalProperties: false,
          properties: Object.fromEntries(['oss', 'cloud'].map((registry) => [registry, { type: 'object', required: ['enabled'], properties: { enabled: { type: 'boolean' } } }])),
        },
        connectorTestSuitesOptions: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['suite'],
            properties: {
              suite: { enum: ['unitTests', 'integrationTests', 'acceptanceTests', 'liveTests', 'smokeTests'] },
              testSecrets: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['name', 'secretStore'],
                  properties: {
                    name: { type: 'string' },
                    fileName: { type: 'string' },
                    secretStore: { type: 'object', additionalProperties: false, properties: { alias: { type: 'string' }, type: { enum: ['GSM'] } } },
                  },
                },
              },
            },
          },
        },
        externalDocumentationUrls: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['title', 'url'],
            properties: {
              title: { type: 'string' },
              url: { type: 'string', format: 'uri' },
              type: {
                enum: [
                  'api_deprecations',
                  'api_reference',
                  'api_release_history',
                  'authentication_guide',
                  'data_model_reference',
                  'developer_community',
                  'migration_guide',
                  'openapi_spec',
                  'other',
                  'permissions_scopes',
                  'rate_limits',
                  'sql_reference',
                  'status_page',
                ],
              },
              requiresLogin: { type: 'boolean' },
            },
          },
        },
        ab_internal: { type: 'object', properties: { sl: { enum: [0, 100, 200, 300] }, ql: { enum: [0, 100, 200, 300, 400, 500, 600] } } },
        // Keys of the real schema this connector does not use, accepted as they are there.
        connectorBuildOptions: { type: 'object' },
        releases: { type: 'object' },
        resourceRequirements: { type: 'object' },
        remoteRegistries: { type: 'object' },
        supportsRefreshes: { type: 'boolean' },
        supportsFileTransfer: { type: 'boolean' },
        supportsDataActivation: { type: 'boolean' },
        supportsDbt: { type: 'boolean' },
        supportsNormalization: { type: 'boolean' },
        normalizationConfig: { type: 'object' },
        erdUrl: { type: 'string' },
        generated: { type: 'object' },
        connectorIPCOptions: { type: 'object' },
      },
    },
  },
};

interface Metadata {
  metadataSpecVersion: string;
  data: {
    name: string;
    definitionId: string;
    connectorType: string;
    connectorSubtype: string;
    dockerRepository: string;
    dockerImageTag: string;
    documentationUrl: string;
    license: string;
    icon?: string;
    protocolVersion?: string;
    supportLevel?: string;
    releaseStage: string;
    maxSecondsBetweenMessages?: number;
    allowedHosts?: { hosts?: string[] };
    suggestedStreams?: { streams?: string[] };
    ab_internal?: { ql?: number };
  };
}

function loadMetadata(): Metadata {
  return parse(readFileSync(path.join(ROOT, 'metadata.yaml'), 'utf8')) as Metadata;
}

function metadataProblems(metadata: unknown): string[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(METADATA_SCHEMA);
  return validate(metadata) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);
}

describe('acceptance: metadata.yaml and the icon', () => {
  const metadata = loadMetadata();
  const packageJson = readJson<{ name: string; version: string; license: string }>('package.json');
  const spec = readJson<{ documentationUrl: string; protocol_version: string }>('spec.json');

  it('is valid against ConnectorMetadataDefinitionV0 (required keys, enums, formats, no unknown key)', () => {
    expect(metadataProblems(metadata)).to.deep.equal([]);
  });

  it('the validation can fail: a missing key, a wrong enum and an unknown key are each refused', () => {
    const broken = structuredClone(metadata) as unknown as { data: Record<string, unknown>; extra?: boolean };
    delete broken.data.githubIssueLabel;
    broken.data.releaseStage = 'stable';
    broken.data.registries = {};
    expect(metadataProblems(broken)).to.have.length(3);
  });

  it('describes this connector: a source API image named after the package, at its version, with its spec’s docs and protocol', () => {
    expect(metadata.data.connectorType).to.equal('source');
    expect(metadata.data.connectorSubtype).to.equal('api');
    expect(metadata.data.dockerRepository).to.equal(`airbyte/${packageJson.name}`);
    expect(metadata.data.dockerImageTag).to.equal(packageJson.version);
    expect(metadata.data.license).to.equal(packageJson.license);
    expect(metadata.data.documentationUrl).to.equal(spec.documentationUrl);
    expect(metadata.data.protocolVersion).to.equal(spec.protocol_version);
    expect(metadata.data.releaseStage).to.equal('alpha');
  });

  it('has its own definitionId: a version-4 UUID, not source-twilio’s', () => {
    expect(metadata.data.definitionId).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(metadata.data.definitionId).to.not.equal('b9dc6155-672e-42ea-b10d-9f1f1fb95ab1');
  });

  it('allows only the host the connector talks to', () => {
    expect(metadata.data.allowedHosts?.hosts).to.deep.equal([new URL(DEFAULT_TWILIO_API_BASE_URL).hostname]);
  });

  it('sets maxSecondsBetweenMessages above the longest silence of one request with all its retries, and under the platform’s 3 h', () => {
    const { maxAttempts, maxDelayMs, maxRetryAfterMs } = DEFAULT_RETRY_POLICY;
    const longestSilenceMs = maxAttempts * DEFAULT_REQUEST_TIMEOUT_MS + (maxAttempts - 1) * Math.max(maxDelayMs, maxRetryAfterMs);
    expect((metadata.data.maxSecondsBetweenMessages ?? 0) * 1000).to.be.greaterThan(longestSilenceMs);
    expect(metadata.data.maxSecondsBetweenMessages).to.be.at.most(3 * 3600);
  });

  it('suggests streams the connector has', () => {
    const streams = metadata.data.suggestedStreams?.streams ?? [];
    expect(streams.length).to.be.greaterThan(0);
    for (const stream of streams) expect(existsSync(path.join(ROOT, 'schemas', `${stream}.json`)), stream).to.equal(true);
  });

  it('is not certified (ql < 400), so CAT’s certified-only checks do not apply', () => {
    expect(metadata.data.ab_internal?.ql ?? 0).to.be.lessThan(400);
  });

  it('names an icon that is a small SVG with a viewBox', () => {
    const icon = readFileSync(path.join(ROOT, metadata.data.icon as string), 'utf8');
    expect(icon).to.match(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(icon).to.match(/viewBox="0 0 \d+ \d+"/);
    expect(icon.trim()).to.match(/<\/svg>$/);
    expect(icon.length).to.be.lessThan(20_000);
  });
});
