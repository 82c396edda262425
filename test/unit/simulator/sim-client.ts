/** A minimal client for the simulator tests: Basic auth, JSON answers, and next_page_uri walks. */
import { expect } from 'chai';

import { type RunningSimulator } from '../../../tools/simulator/server';

export interface Credentials {
  user: string;
  password: string;
}

export interface UsageRecordJson {
  category: string;
  description: string;
  account_sid: string;
  start_date: string;
  end_date: string;
  count: string | null;
  count_unit: string;
  usage: string;
  usage_unit: string;
  price: string;
  price_unit: string;
  as_of: string;
  api_version: string;
  uri: string;
  subresource_uris: Record<string, string>;
}

export interface EnvelopeJson {
  first_page_uri: string;
  end: number;
  previous_page_uri: string | null;
  uri: string;
  page_size: number;
  start: number;
  next_page_uri: string | null;
  page: number;
}

export interface UsagePageJson extends EnvelopeJson {
  usage_records: UsageRecordJson[];
}

export interface ApiAnswer<T> {
  status: number;
  headers: Headers;
  body: T;
}

export async function get<T>(simulator: RunningSimulator, path: string, credentials?: Credentials): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = credentials ? { authorization: `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}` } : {};
  const response = await fetch(`${simulator.baseUrl}${path}`, { headers });
  return { status: response.status, headers: response.headers, body: (await response.json()) as T };
}

/** Follows next_page_uri from `path` to the end, checking each page answered 200. */
export async function walkUsagePages(simulator: RunningSimulator, path: string, credentials: Credentials): Promise<UsagePageJson[]> {
  const pages: UsagePageJson[] = [];
  let next: string | null = path;
  while (next !== null) {
    const answer: ApiAnswer<UsagePageJson> = await get<UsagePageJson>(simulator, next, credentials);
    expect(answer.status, `GET ${next}`).to.equal(200);
    pages.push(answer.body);
    next = answer.body.next_page_uri;
  }
  return pages;
}

export function usagePath(accountSid: string, resource: string, params: Record<string, string>): string {
  return `/2010-04-01/Accounts/${accountSid}/Usage/Records${resource === 'Records' ? '' : `/${resource}`}.json?${new URLSearchParams(params).toString()}`;
}
