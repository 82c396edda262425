/**
 * A headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`: JSON
 * messages ended by NUL on file descriptors 3 and 4), so no port, no WebSocket and no npm package:
 * nothing here can download a browser. It uses Debian's chromium-headless-shell or chromium, which
 * `.ci/run` installs with apt-get; CHROMIUM_PATH names another.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

const CANDIDATES = ['/usr/bin/chromium-headless-shell', '/usr/bin/chromium'];

/**
 * Flags for a browser that talks to nothing: as root it needs --no-sandbox, and without the
 * background-networking flags it would try to reach Google's services on its own.
 */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--remote-debugging-pipe'];

const COMMAND_TIMEOUT_MS = 30_000;

/** The browser to use, if this machine has one. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CHROMIUM_PATH) return env.CHROMIUM_PATH;
  return CANDIDATES.find((candidate) => existsSync(candidate));
}

/** A DevTools event: its method, parameters and the session it came from. */
export interface CdpEvent {
  method: string;
  params: Record<string, unknown>;
  sessionId?: string;
}

interface CdpReply {
  id: number;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

type Pending = { resolve: (result: Record<string, unknown>) => void; reject: (error: Error) => void; method: string };

export class Chromium {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(event: CdpEvent) => void>();
  private buffered = '';

  private constructor(
    private readonly process: ChildProcess,
    private readonly input: Writable,
    output: Readable,
    private readonly profileDir: string,
  ) {
    output.setEncoding('utf8').on('data', (chunk: string) => this.receive(chunk));
    process.once('exit', () => {
      for (const { reject, method } of this.pending.values()) reject(new Error(`Chromium exited while ${method} was pending`));
      this.pending.clear();
    });
  }

  static launch(executable: string): Chromium {
    const profileDir = mkdtempSync(path.join(tmpdir(), 'twilio-costs-chromium-'));
    const child = spawn(executable, [...FLAGS, `--user-data-dir=${profileDir}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
    const [, , , input, output] = child.stdio;
    return new Chromium(child, input as Writable, output as Readable, profileDir);
  }

  /** Sends a command (to a page's session, or to the browser) and resolves with its result. */
  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`Chromium did not answer ${method} within ${COMMAND_TIMEOUT_MS / 1000} s`));
      }, COMMAND_TIMEOUT_MS);
      this.pending.set(id, {
        method,
        resolve: (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  /** Calls `listener` with every event until the returned function is called. */
  onEvent(listener: (event: CdpEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A new tab, attached: the session id its commands and events carry. */
  async newPage(): Promise<string> {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
    return String(sessionId);
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => (this.process.exitCode !== null ? resolve(undefined) : this.process.once('exit', resolve)));
    await this.send('Browser.close').catch(() => this.process.kill());
    const timeout = setTimeout(() => this.process.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timeout);
    rmSync(this.profileDir, { recursive: true, force: true });
  }

  private receive(chunk: string): void {
    this.buffered += chunk;
    for (let end = this.buffered.indexOf('\0'); end >= 0; end = this.buffered.indexOf('\0')) {
      const message = JSON.parse(this.buffered.slice(0, end)) as CdpReply | CdpEvent;
      this.buffered = this.buffered.slice(end + 1);
      if ('id' in message) {
        const pending = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) pending?.reject(new Error(`${pending.method}: ${message.error.message}`));
        else pending?.resolve(message.result ?? {});
      } else {
        for (const listener of this.listeners) listener(message);
      }
    }
  }
}

/** What a page did while it loaded with the network blocked: every request it made, and every error it logged. */
export interface OfflineLoad {
  requests: string[];
  blocked: string[];
  errors: string[];
}

/**
 * Opens a local file in a page that may fetch nothing else: every request but the file's own is
 * failed (and recorded), and console messages, page errors and browser log errors are collected.
 */
export async function loadOffline(browser: Chromium, sessionId: string, file: string, viewport: { width: number; height: number }): Promise<OfflineLoad> {
  const url = `file://${file}`;
  const load: OfflineLoad = { requests: [], blocked: [], errors: [] };
  let loaded: () => void = () => undefined;
  const loadFired = new Promise<void>((resolve) => (loaded = resolve));
  const stop = browser.onEvent((event) => {
    if (event.sessionId !== sessionId) return;
    const params = event.params as { request?: { url?: string }; requestId?: string; type?: string; args?: Array<{ value?: unknown }>; exceptionDetails?: { text?: string }; entry?: { level?: string; text?: string } };
    if (event.method === 'Network.requestWillBeSent') load.requests.push(String(params.request?.url));
    else if (event.method === 'Fetch.requestPaused') {
      const requested = String(params.request?.url);
      if (requested === url) void browser.send('Fetch.continueRequest', { requestId: params.requestId }, sessionId);
      else {
        load.blocked.push(requested);
        void browser.send('Fetch.failRequest', { requestId: params.requestId, errorReason: 'BlockedByClient' }, sessionId);
      }
    } else if (event.method === 'Runtime.consoleAPICalled' && (params.type === 'error' || params.type === 'warning' || params.type === 'assert')) {
      load.errors.push(`console.${params.type}: ${(params.args ?? []).map(({ value }) => String(value)).join(' ')}`);
    } else if (event.method === 'Runtime.exceptionThrown') load.errors.push(`exception: ${params.exceptionDetails?.text ?? ''}`);
    else if (event.method === 'Log.entryAdded' && (params.entry?.level === 'error' || params.entry?.level === 'warning')) load.errors.push(`log: ${params.entry.text ?? ''}`);
    else if (event.method === 'Page.loadEventFired') loaded();
  });
  try {
    for (const domain of ['Page', 'Runtime', 'Log', 'Network']) await browser.send(`${domain}.enable`, {}, sessionId);
    await browser.send('Fetch.enable', { patterns: [{ urlPattern: '*' }] }, sessionId);
    await browser.send('Emulation.setDeviceMetricsOverride', { ...viewport, deviceScaleFactor: 1, mobile: false }, sessionId);
    await browser.send('Page.navigate', { url }, sessionId);
    await loadFired;
  } finally {
    stop();
  }
  return load;
}

/** Evaluates an expression in the page and returns its value (JSON). */
export async function evaluate<T>(browser: Chromium, sessionId: string, expression: string): Promise<T> {
  const { result, exceptionDetails } = (await browser.send('Runtime.evaluate', { expression, returnByValue: true }, sessionId)) as { result?: { value?: T }; exceptionDetails?: { text?: string } };
  if (exceptionDetails) throw new Error(`${expression}: ${exceptionDetails.text ?? 'threw'}`);
  return result?.value as T;
}

/** A PNG of the page from its top, `height` CSS pixels tall (the whole page when left out). */
export async function screenshot(browser: Chromium, sessionId: string, width: number, height?: number): Promise<Buffer> {
  const metrics = (await browser.send('Page.getLayoutMetrics', {}, sessionId)) as { cssContentSize: { height: number } };
  const clip = { x: 0, y: 0, width, height: Math.min(height ?? Number.POSITIVE_INFINITY, Math.ceil(metrics.cssContentSize.height)), scale: 1 };
  const { data } = await browser.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true, clip }, sessionId);
  return Buffer.from(String(data), 'base64');
}
