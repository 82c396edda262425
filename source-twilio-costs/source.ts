import { ConfigParser, loadSpec, nonNegativeNumberFromEnv, type ResolvedConfig } from './config';
import { ConfigError } from './protocol/errors';
import type { Logger } from './protocol/logger';
import type { ConnectorSpecification } from './protocol/messages';
import type { Source } from './protocol/runner';
import type { Stream, StreamEvent, StreamReadContext } from './protocol/stream';
import { AccountsStream } from './streams/accounts';
import { FocusCostsStream } from './streams/focus-costs';
import { TwilioContext } from './streams/context';
import { UsageCategoriesStream } from './streams/usage-categories';
import { UsageCostsStream } from './streams/usage-costs';
import { UsageRecordsStream } from './streams/usage-records';
import { twilioHierarchy } from './costs/hierarchy';
import { placeWindow } from './costs/reconcile';
import { DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_RETRY_POLICY, TwilioClient, type RetryPolicy } from './twilio/client';
import { asTwilioConnectorError, type FailureContext } from './twilio/error-policy';
import { ConcurrencyLimiter } from './twilio/limiter';
import { probeUsage } from './twilio/resources';
import type { ForcedPlan, WindowReaders } from './usage';

export interface SourceEnvironment {
  TWILIO_API_BASE_URL?: string;
  /** Request timeout in ms; tests shorten it. */
  SOURCE_TWILIO_COSTS_REQUEST_TIMEOUT_MS?: string;
  /** Base retry delay in ms; tests shorten it. */
  SOURCE_TWILIO_COSTS_RETRY_BASE_MS?: string;
  /** "dense" or "sparse": read every usage window with that plan instead of the cheaper one (tests, diagnostics). */
  SOURCE_TWILIO_COSTS_FETCH_PLAN?: string;
}

/**
 * The streams that read usage windows, and what each uses of a row: the one place their reuse is
 * declared. A stream read earlier in a run keeps what it reads for the later ones here, so a
 * window is asked of Twilio once. focus_costs reads through usage_costs (its amounts), under its
 * own name.
 */
const USAGE_WINDOW_READERS: WindowReaders = new Map([
  ['usage_records', 'all'],
  ['usage_costs', 'amounts'],
  ['focus_costs', 'amounts'],
]);

/** `check` answers in seconds: one retry, then a clear FAILED, rather than minutes of backoff. */
const CHECK_RETRY_POLICY: RetryPolicy = { maxAttempts: 2, baseDelayMs: 250, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 };

function forcedPlan(text: string | undefined): ForcedPlan | undefined {
  if (text === undefined || text === '') return undefined;
  if (text === 'dense' || text === 'sparse') return text;
  throw new ConfigError(`SOURCE_TWILIO_COSTS_FETCH_PLAN must be "dense" or "sparse", got ${JSON.stringify(text)}.`);
}

/** Streams report Twilio failures as connector errors with the right failure type. */
function reportingTwilioErrors(stream: Stream, failureContext: FailureContext): Stream {
  return {
    name: stream.name,
    primaryKey: stream.primaryKey,
    ...(stream.cursorField ? { cursorField: stream.cursorField } : {}),
    jsonSchema: stream.jsonSchema,
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

export class TwilioCostsSource implements Source<ResolvedConfig> {
  private readonly specification = loadSpec();
  private readonly parser = new ConfigParser(this.specification);

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
    const plan = forcedPlan(this.env.SOURCE_TWILIO_COSTS_FETCH_PLAN);
    const hierarchy = twilioHierarchy();
    const context = new TwilioContext(config, this.client(config, undefined, this.retryPolicy()), {
      ...(plan ? { forcedPlan: plan } : {}),
      readers: USAGE_WINDOW_READERS,
      placeChunk: (prices) => placeWindow(prices, hierarchy),
    });
    const focusCosts = new FocusCostsStream(new UsageCostsStream(context, hierarchy), new AccountsStream(context), config.accountSid);
    return [new UsageRecordsStream(context), new UsageCostsStream(context, hierarchy), new AccountsStream(context), new UsageCategoriesStream(hierarchy, context.usedPlacements), focusCosts].map(
      (stream) => reportingTwilioErrors(stream, { host: config.baseUrl.host }),
    );
  }

  private retryPolicy(): RetryPolicy {
    return { ...DEFAULT_RETRY_POLICY, baseDelayMs: nonNegativeNumberFromEnv(this.env.SOURCE_TWILIO_COSTS_RETRY_BASE_MS, DEFAULT_RETRY_POLICY.baseDelayMs) };
  }

  private client(config: ResolvedConfig, logger: Logger | undefined, retry: RetryPolicy): TwilioClient {
    const credentials = config.credentials;
    return new TwilioClient({
      baseUrl: config.baseUrl,
      credentials:
        credentials.mode === 'api_key'
          ? { username: credentials.apiKeySid, password: credentials.apiKeySecret }
          : { username: config.accountSid, password: credentials.authToken },
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
