import { EnvHttpProxyAgent, type Dispatcher } from 'undici';
import type { EgressProxyConfig } from '../config/team-config.ts';
import type { AddressAllowlist } from '../security/address-guard.ts';

/**
 * How notifications leave the server: the attempt budget and the proxy settings
 * (HTTPS_PROXY / HTTP_PROXY / NO_PROXY, read once by the config).
 */
export interface EgressOptions {
  timeoutMs: number;
  proxy: EgressProxyConfig;
  /** Internal addresses webhooks may reach (PORTPRESSURE_WEBHOOK_ALLOW); none when absent. */
  allow?: AddressAllowlist;
}

export const NO_EGRESS_PROXY: EgressProxyConfig = { httpsProxy: undefined, httpProxy: undefined, noProxy: undefined };

const dispatchers = new WeakMap<EgressProxyConfig, Dispatcher>();

/**
 * The dispatcher webhook requests go through, or undefined to connect directly. One per proxy
 * configuration, so connections to the proxy are pooled. Empty strings are passed for unset
 * values because undici falls back to process.env for undefined ones, and the config is the only
 * place that reads the environment.
 */
export function egressDispatcher(proxy: EgressProxyConfig): Dispatcher | undefined {
  if (proxy.httpProxy === undefined && proxy.httpsProxy === undefined) return undefined;
  let dispatcher = dispatchers.get(proxy);
  if (dispatcher === undefined) {
    dispatcher = new EnvHttpProxyAgent({
      httpProxy: proxy.httpProxy ?? '',
      httpsProxy: proxy.httpsProxy ?? '',
      noProxy: proxy.noProxy ?? '',
    });
    dispatchers.set(proxy, dispatcher);
  }
  return dispatcher;
}

/**
 * Whether NO_PROXY exempts `host:port`, with curl's rules (as undici applies them to webhooks):
 * `*` exempts everything; an entry matches the host itself or, with or without a leading dot, any
 * subdomain of it; an entry with `:port` matches only that port. IP addresses match literally.
 */
export function bypassesProxy(hostname: string, port: number, noProxy: string | undefined): boolean {
  if (noProxy === undefined) return false;
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  for (const raw of noProxy.split(/[,\s]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    // [v6]:port, a bare v6 address (several colons, no port), or host:port
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    const plain = bracketed === null && (entry.match(/:/g) ?? []).length <= 1 ? /^([^:]+)(?::(\d+))?$/.exec(entry) : null;
    const name = (bracketed?.[1] ?? plain?.[1] ?? entry).replace(/^\*?\./, '');
    const portText = bracketed?.[2] ?? plain?.[2];
    const entryPort = portText === undefined ? undefined : Number(portText);
    if (entryPort !== undefined && entryPort !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/**
 * The proxy a non-HTTP connection (SMTP) to `host:port` tunnels through with CONNECT, or undefined.
 * SMTP carries its own TLS, so HTTPS_PROXY is preferred, as for an https:// destination.
 */
export function tunnelProxyFor(hostname: string, port: number, proxy: EgressProxyConfig): string | undefined {
  const url = proxy.httpsProxy ?? proxy.httpProxy;
  if (url === undefined || bypassesProxy(hostname, port, proxy.noProxy)) return undefined;
  return url;
}
