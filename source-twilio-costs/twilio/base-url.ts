import { ConfigError } from '../protocol/errors';

export const DEFAULT_TWILIO_API_BASE_URL = 'https://api.twilio.com';

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * The Twilio API base: an origin, and optionally a path prefix (a proxy's mount point, say) that
 * every request path is put under. Plain http is allowed only on loopback (the local simulator),
 * so Basic credentials never cross a network in clear text. A query or fragment could not be
 * kept on every request, so it is refused rather than dropped.
 */
export function resolveBaseUrl(raw: string | undefined): URL {
  const text = raw && raw.trim() !== '' ? raw.trim() : DEFAULT_TWILIO_API_BASE_URL;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`TWILIO_API_BASE_URL is not a URL: ${JSON.stringify(text)}.`);
  }
  if (url.username || url.password) throw new ConfigError('TWILIO_API_BASE_URL must not contain credentials.');
  if (url.search || url.hash) throw new ConfigError('TWILIO_API_BASE_URL must not have a query or a fragment: only a scheme, a host and an optional path prefix.');
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return url;
  if (url.protocol === 'http:') {
    throw new ConfigError(`TWILIO_API_BASE_URL uses plain http to ${url.hostname}, which is not a loopback host; use https so credentials are not sent in clear text.`);
  }
  throw new ConfigError(`TWILIO_API_BASE_URL must be an https URL, got the scheme ${url.protocol.replace(':', '')}.`);
}
