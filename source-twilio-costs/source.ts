import { ConfigParser, loadSpec, nonNegativeNumberFromEnv, type ResolvedConfig } from './config';
import type { ConfiguredStream } from './protocol/catalog';
import { ConfigError } from './protocol/errors';
import type { Logger } from './protocol/logger';
import type { ConnectorSpecification } from './protocol/messages';
import type { Source } from './protocol/runner';
import type { Stream, StreamEvent, StreamReadContext } from './protocol/stream';
import type { RetryPolicy, TwilioClient } from './twilio/client';
import type { FailureContext } from './twilio/error-policy';
import type { ForcedPlan, UsageConsumer, UsageEngine } from './usage';

/**
 * The parts check, discover and read are built of, loaded on first use: `spec` needs none of them,
 * and loading them (the Twilio client, the streams, the usage engine, the solver) took two thirds of
 * its start. A plain require, since the Source's methods are synchronous.
 */
function parts(): typeof import('./source-parts') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily and synchronously, as said above: an import would load it with this file
  return require('./source-parts') as typeof import('./source-parts');
}

export interface SourceEnvironment {
  TWILIO_API_BASE_URL?: string;
  /** Request timeout in ms; tests shorten it. */
  SOURCE_TWILIO_COSTS_REQUEST_TIMEOUT_MS?: string;
  /** Base retry delay in ms; tests shorten it. */
  SOURCE_TWILIO_COSTS_RETRY_BASE_MS?: string;
  /** "dense" or "sparse": read every usage window with that plan instead of the cheaper one (tests, diagnostics). */
  SOURCE_TWILIO_COSTS_FETCH_PLAN?: string;
  /** A positive integer: the most needed rows (categories × days) a chunk of a usage window holds, to force small chunks (tests, diagnostics). */
  SOURCE_TWILIO_COSTS_WINDOW_ROWS?: string;
}

/** `check` answers in seconds: one retry, then a clear FAILED, rather than minutes of backoff. */
const CHECK_RETRY_POLICY: RetryPolicy = { maxAttempts: 2, baseDelayMs: 250, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 };

function forcedPlan(text: string | undefined): ForcedPlan | undefined {
  if (text === undefined || text === '') return undefined;
  if (text === 'dense' || text === 'sparse') return text;
  throw new ConfigError(`SOURCE_TWILIO_COSTS_FETCH_PLAN must be "dense" or "sparse", got ${JSON.stringify(text)}.`);
}

/** Unlike a tuning knob, a bad value is an error: a test or diagnosis that asked for small chunks must not silently get the usual ones. */
function windowRowBudget(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const rows = Number(text);
  if (/^[0-9]+$/.test(text) && Number.isSafeInteger(rows) && rows >= 1) return rows;
  throw new ConfigError(`SOURCE_TWILIO_COSTS_WINDOW_ROWS must be a positive integer (the most needed rows a chunk of a usage window holds), got ${JSON.stringify(text)}.`);
}

/** Streams report Twilio failures as connector errors with the right failure type. */
function reportingTwilioErrors(stream: Stream, failureContext: FailureContext): Stream {
  const { asTwilioConnectorError } = parts();
  return {
    name: stream.name,
    primaryKey: stream.primaryKey,
    ...(stream.cursorField ? { cursorField: stream.cursorField } : {}),
    jsonSchema: stream.jsonSchema,
    ...(stream.dependsOn ? { dependsOn: stream.dependsOn } : {}),
    async *read(context: StreamReadContext): AsyncGenerator<StreamEvent> {
      try {
        yield* stream.read(context);
      } catch (error) {
        throw asTwilioConnectorError(error, failureContext) ?? error;
      }
    },
  };
}

/** Counts what the sync sends to Twilio, for a progress display (the `sync` command's). */
export interface TwilioTrafficObserver {
  onRequest?: () => void;
  onRetry?: () => void;
}

/** A config's streams, and the usage engine its usage streams read through with the consumer of each. */
interface TwilioStreams {
  streams: Stream[];
  usage: UsageEngine;
  consumers: ReadonlyMap<string, UsageConsumer<object>>;
}

export class TwilioCostsSource implements Source<ResolvedConfig> {
  private readonly specification = loadSpec();
  private readonly parser = new ConfigParser(this.specification);
  /** Each stream is built once per config: discover, the catalog's check and the read see the same ones. */
  private readonly built = new WeakMap<ResolvedConfig, TwilioStreams>();

  constructor(
    private readonly env: SourceEnvironment,
    private readonly now: () => Date = () => new Date(),
    private readonly traffic: TwilioTrafficObserver = {},
  ) {}

  spec(): ConnectorSpecification {
    return this.specification;
  }

  parseConfig(raw: unknown): ResolvedConfig {
    return this.parser.parse(raw, this.env, this.now());
  }

  configWarnings(raw: unknown): string[] {
    return this.parser.unknownFields(raw);
  }

  secrets(config: ResolvedConfig): string[] {
    const credentials = config.credentials;
    const username = credentials.mode === 'api_key' ? credentials.apiKeySid : config.accountSid;
    const password = credentials.mode === 'api_key' ? credentials.apiKeySecret : credentials.authToken;
    return [password, Buffer.from(`${username}:${password}`).toString('base64')];
  }

  async check(config: ResolvedConfig, logger: Logger): Promise<{ succeeded: boolean; message: string }> {
    const { TwilioContext, asTwilioConnectorError, probeUsage } = parts();
    const client = this.client(config, logger, CHECK_RETRY_POLICY);
    try {
      if (config.credentials.mode === 'api_key') {
        await probeUsage(client, config.accountSid, config.today, true);
        return {
          succeeded: true,
          message: `Connected to Twilio with API key ${config.credentials.apiKeySid}: it reads the whole bill of account ${config.accountSid} (subaccounts included, as one scope).`,
        };
      }
      const context = new TwilioContext(config, client);
      const scopes = await context.scopes(logger);
      await probeUsage(client, config.accountSid, config.today, false);
      const subaccounts = scopes.length - 1;
      return {
        succeeded: true,
        message: `Connected to Twilio with the Auth Token of ${config.accountSid}: it reads the main account and ${subaccounts} subaccount${subaccounts === 1 ? '' : 's'}${config.subaccountSids ? ' (as selected in subaccount_sids)' : ''}, each on its own.`,
      };
    } catch (error) {
      // The runner turns a config or transient error into FAILED; anything else is a bug, not a failed connection.
      throw asTwilioConnectorError(error, { host: config.baseUrl.host }) ?? error;
    }
  }

  streams(config: ResolvedConfig): Stream[] {
    return this.build(config).streams;
  }

  /** Tells the usage engine the consumers of the usage streams this read runs, in order, so each keeps what the later ones use. */
  prepareRead(config: ResolvedConfig, configured: readonly ConfiguredStream[]): readonly ConfiguredStream[] {
    const { usage, consumers } = this.build(config);
    usage.prepare(configured.flatMap(({ stream }) => consumers.get(stream.name) ?? []));
    return configured;
  }

  private build(config: ResolvedConfig): TwilioStreams {
    const known = this.built.get(config);
    if (known) return known;
    const plan = forcedPlan(this.env.SOURCE_TWILIO_COSTS_FETCH_PLAN);
    const rowBudget = windowRowBudget(this.env.SOURCE_TWILIO_COSTS_WINDOW_ROWS);
    const { twilioHierarchy, TwilioContext, UsageWindowReader, UsageEngine, AccountsStream, UsageRecordsStream, UsageCostsStream, UsageCostsConsumer, FocusCostsStream, UsageCategoriesStream } = parts();
    const hierarchy = twilioHierarchy();
    const client = this.client(config, undefined, this.retryPolicy());
    const twilio = new TwilioContext(config, client);
    const reader = new UsageWindowReader({ client, hierarchy, ...(plan ? { forcedPlan: plan } : {}), ...(rowBudget ? { windowRowBudget: rowBudget } : {}) });
    const usage = new UsageEngine({ config, reader, scopes: (logger) => twilio.scopes(logger) });
    const accounts = new AccountsStream(twilio);
    const usageRecords = new UsageRecordsStream(usage);
    const usageCosts = new UsageCostsStream(usage, new UsageCostsConsumer(hierarchy));
    const focusCosts = new FocusCostsStream(usage, usageCosts.consumer, accounts, config.accountSid);
    const built: TwilioStreams = {
      streams: [usageRecords, usageCosts, accounts, new UsageCategoriesStream(hierarchy, usageCosts.consumer.placements), focusCosts].map((stream) => reportingTwilioErrors(stream, { host: config.baseUrl.host })),
      usage,
      consumers: new Map<string, UsageConsumer<object>>([usageRecords, usageCosts, focusCosts].map((stream) => [stream.name, stream.consumer])),
    };
    this.built.set(config, built);
    return built;
  }

  private retryPolicy(): RetryPolicy {
    const { DEFAULT_RETRY_POLICY } = parts();
    return { ...DEFAULT_RETRY_POLICY, baseDelayMs: nonNegativeNumberFromEnv(this.env.SOURCE_TWILIO_COSTS_RETRY_BASE_MS, DEFAULT_RETRY_POLICY.baseDelayMs) };
  }

  private client(config: ResolvedConfig, logger: Logger | undefined, retry: RetryPolicy): TwilioClient {
    const { TwilioClient, ConcurrencyLimiter, DEFAULT_REQUEST_TIMEOUT_MS } = parts();
    const credentials = config.credentials;
    return new TwilioClient({
      baseUrl: config.baseUrl,
      credentials: credentials.mode === 'api_key' ? { username: credentials.apiKeySid, password: credentials.apiKeySecret } : { username: config.accountSid, password: credentials.authToken },
      limiter: new ConcurrencyLimiter(config.maxConcurrency),
      requestTimeoutMs: nonNegativeNumberFromEnv(this.env.SOURCE_TWILIO_COSTS_REQUEST_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS),
      retry,
      onRetry: (event) => {
        this.traffic.onRetry?.();
        logger?.debug(`Retrying ${event.path} in ${event.delayMs} ms (attempt ${event.attempt}): ${event.reason}`);
      },
      onRequest: () => this.traffic.onRequest?.(),
    });
  }
}
