import { roleSchema, type Role } from '@portpressure/protocol';
import { z } from 'zod';
// A cycle with config.ts, harmless: ConfigError is only used when loadTeamConfig runs.
import { ConfigError } from './config.ts';
import { intFromEnv } from './env-fields.ts';

// Settings of the team features (users and roles, single sign-on, the audit log, egress proxy),
// part of the API's one environment schema (config.ts); kept here so that file stays readable.

const emptyAsUnset = (schema: z.ZodType) => z.preprocess((v) => (v === '' ? undefined : v), schema);
const booleanFromEnv = z.enum(['true', 'false']).transform((v) => v === 'true');
const proxyUrl = emptyAsUnset(z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// proxy URL' }).optional());

/** `group=role,group=role`: which role members of an identity-provider group get. */
const roleMapSchema = z
  .string()
  .transform((value, ctx) => {
    const map: Array<{ group: string; role: Role }> = [];
    for (const entry of value
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)) {
      const eq = entry.lastIndexOf('=');
      const role = roleSchema.safeParse(entry.slice(eq + 1).trim());
      if (eq <= 0 || !role.success) {
        ctx.addIssue({ code: 'custom', message: `"${entry}" is not group=admin|editor|viewer` });
        return z.NEVER;
      }
      map.push({ group: entry.slice(0, eq).trim(), role: role.data });
    }
    return map;
  })
  .default([]);

export const teamEnvShape = {
  PORTPRESSURE_PASSWORD_LOGIN: booleanFromEnv.default(true),
  PORTPRESSURE_AUDIT_RETENTION_DAYS: intFromEnv(1, 36_500).default(365),
  PORTPRESSURE_OIDC_ISSUER: emptyAsUnset(
    z
      .url({ protocol: /^https?$/, error: 'must be the issuer URL (https://…)' })
      .refine(
        (u) => u.startsWith('https://') || /^http:\/\/(127\.[\d.]+|localhost|\[::1\])(:\d+)?(\/|$)/.test(u),
        'must be https:// (plain http only on this machine)',
      )
      .optional(),
  ),
  PORTPRESSURE_OIDC_CLIENT_ID: emptyAsUnset(z.string().max(512).optional()),
  PORTPRESSURE_OIDC_CLIENT_SECRET: emptyAsUnset(z.string().max(4096).optional()),
  PORTPRESSURE_OIDC_SCOPES: z
    .string()
    .regex(/^[\x21-\x7e ]+$/)
    .default('openid profile email'),
  PORTPRESSURE_OIDC_LABEL: z.string().min(1).max(64).default('Sign in with single sign-on'),
  PORTPRESSURE_OIDC_USERNAME_CLAIM: z.string().min(1).max(64).default('preferred_username'),
  PORTPRESSURE_OIDC_GROUPS_CLAIM: z.string().min(1).max(64).default('groups'),
  PORTPRESSURE_OIDC_ROLE_MAP: roleMapSchema,
  PORTPRESSURE_OIDC_DEFAULT_ROLE: z.enum(['viewer', 'editor', 'admin', 'none']).default('viewer'),
  HTTPS_PROXY: proxyUrl,
  https_proxy: proxyUrl,
  HTTP_PROXY: proxyUrl,
  http_proxy: proxyUrl,
  NO_PROXY: z.string().optional(),
  no_proxy: z.string().optional(),
};

type TeamEnv = z.output<z.ZodObject<typeof teamEnvShape>>;

export interface OidcConfig {
  issuer: URL;
  clientId: string;
  clientSecret: string;
  scopes: string;
  /** Label of the sign-in page's button. */
  label: string;
  /** Where the identity provider sends the browser back: PORTPRESSURE_PUBLIC_URL + /api/auth/oidc/callback. */
  redirectUri: string;
  usernameClaim: string;
  groupsClaim: string;
  /** First match in this order wins; members of no listed group get `defaultRole`. */
  roleMap: Array<{ group: string; role: Role }>;
  /** `none`: people in no mapped group cannot sign in. */
  defaultRole: Role | 'none';
}

/** Proxy for outgoing notifications (webhooks and SMTP), as curl reads the same variables. */
export interface EgressProxyConfig {
  httpsProxy: string | undefined;
  httpProxy: string | undefined;
  /** Comma-separated hosts, domains (.example.com), host:port or `*`, exempt from the proxy. */
  noProxy: string | undefined;
}

export interface TeamConfig {
  /** Whether users may sign in with a password (single sign-on may replace it). */
  passwordLogin: boolean;
  auditRetentionDays: number;
  /** Set when single sign-on is configured. */
  oidc: OidcConfig | undefined;
  egressProxy: EgressProxyConfig;
}

export function loadTeamConfig(e: TeamEnv, publicUrl: string): TeamConfig {
  const issuer = e.PORTPRESSURE_OIDC_ISSUER as string | undefined;
  const clientId = e.PORTPRESSURE_OIDC_CLIENT_ID as string | undefined;
  const clientSecret = e.PORTPRESSURE_OIDC_CLIENT_SECRET as string | undefined;
  const given = [issuer, clientId, clientSecret].filter((x) => x !== undefined).length;
  if (given > 0 && given < 3) {
    throw new ConfigError(
      'Invalid configuration:\n  PORTPRESSURE_OIDC_ISSUER, PORTPRESSURE_OIDC_CLIENT_ID and PORTPRESSURE_OIDC_CLIENT_SECRET: set all three or none',
    );
  }
  if (!e.PORTPRESSURE_PASSWORD_LOGIN && issuer === undefined) {
    throw new ConfigError(
      'Invalid configuration:\n  PORTPRESSURE_PASSWORD_LOGIN: may be false only with single sign-on (PORTPRESSURE_OIDC_ISSUER) set',
    );
  }
  return {
    passwordLogin: e.PORTPRESSURE_PASSWORD_LOGIN,
    auditRetentionDays: e.PORTPRESSURE_AUDIT_RETENTION_DAYS,
    oidc:
      issuer === undefined || clientId === undefined || clientSecret === undefined
        ? undefined
        : {
            issuer: new URL(issuer),
            clientId,
            clientSecret,
            scopes: e.PORTPRESSURE_OIDC_SCOPES.split(/\s+/).includes('openid')
              ? e.PORTPRESSURE_OIDC_SCOPES
              : `openid ${e.PORTPRESSURE_OIDC_SCOPES}`,
            label: e.PORTPRESSURE_OIDC_LABEL,
            redirectUri: `${publicUrl}/api/auth/oidc/callback`,
            usernameClaim: e.PORTPRESSURE_OIDC_USERNAME_CLAIM,
            groupsClaim: e.PORTPRESSURE_OIDC_GROUPS_CLAIM,
            roleMap: e.PORTPRESSURE_OIDC_ROLE_MAP,
            defaultRole: e.PORTPRESSURE_OIDC_DEFAULT_ROLE,
          },
    egressProxy: {
      httpsProxy: (e.HTTPS_PROXY ?? e.https_proxy) as string | undefined,
      httpProxy: (e.HTTP_PROXY ?? e.http_proxy) as string | undefined,
      noProxy: e.NO_PROXY ?? e.no_proxy,
    },
  };
}
