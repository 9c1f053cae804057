import { z } from 'zod';
import { intFromEnv } from './env-fields.ts';
import { parseAddressAllowlist, type AddressAllowlist } from '../security/address-guard.ts';

/** The hardening settings' part of the API's environment schema (every one is in .env.example and docs/security.md). */
export const securityEnvShape = {
  PORTPRESSURE_LOGIN_MAX_ATTEMPTS_PER_USER: intFromEnv(1, 100_000).default(30),
  PORTPRESSURE_LOGIN_MAX_ATTEMPTS_GLOBAL: intFromEnv(1, 1_000_000).default(300),
  PORTPRESSURE_LOGIN_QUEUE: intFromEnv(1, 1000).default(8),
  PORTPRESSURE_ENROLL_RATE_LIMIT: intFromEnv(1, 100_000).default(30),
  PORTPRESSURE_AGENT_UPGRADE_FAILURES: intFromEnv(1, 100_000).default(30),
  PORTPRESSURE_AGENT_BYTES_PER_SECOND: intFromEnv(1024, 1024 ** 3).default(1024 * 1024),
  PORTPRESSURE_INGEST_QUEUE_TUPLES: intFromEnv(1000, 100_000_000).default(200_000),
  PORTPRESSURE_WEBHOOK_ALLOW: z
    .string()
    .default('')
    .superRefine((value, ctx) => {
      try {
        parseAddressAllowlist(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
      }
    }),
};

type SecurityEnv = { [K in keyof typeof securityEnvShape]: z.infer<(typeof securityEnvShape)[K]> };

export interface SecurityConfig {
  /** Failed sign-ins per user name per 15 minutes, whatever the address. */
  loginMaxAttemptsPerUser: number;
  /** Sign-in attempts of all clients together per 15 minutes. */
  loginMaxAttemptsGlobal: number;
  /** Password checks that may wait for the one running; beyond it sign-in answers 503 at once. */
  loginQueue: number;
  /** Enrollments per minute for the whole installation (bursts up to this many). */
  enrollPerMinute: number;
  /** Refused agent upgrades per client address per minute before the address gets 429 without a lookup. */
  agentUpgradeFailuresPerMinute: number;
  /** Bytes per second one agent connection may send on average (bursts up to 8 s worth). */
  agentBytesPerSecond: number;
  /** Tuples waiting for the snapshot writer across all connections; beyond it agents are told to back off. */
  ingestQueueTuples: number;
  /** Private, loopback, link-local and metadata addresses that webhooks may reach anyway. */
  webhookAllow: AddressAllowlist;
}

export function securityConfigFrom(e: SecurityEnv): SecurityConfig {
  return {
    loginMaxAttemptsPerUser: e.PORTPRESSURE_LOGIN_MAX_ATTEMPTS_PER_USER,
    loginMaxAttemptsGlobal: e.PORTPRESSURE_LOGIN_MAX_ATTEMPTS_GLOBAL,
    loginQueue: e.PORTPRESSURE_LOGIN_QUEUE,
    enrollPerMinute: e.PORTPRESSURE_ENROLL_RATE_LIMIT,
    agentUpgradeFailuresPerMinute: e.PORTPRESSURE_AGENT_UPGRADE_FAILURES,
    agentBytesPerSecond: e.PORTPRESSURE_AGENT_BYTES_PER_SECOND,
    ingestQueueTuples: e.PORTPRESSURE_INGEST_QUEUE_TUPLES,
    webhookAllow: parseAddressAllowlist(e.PORTPRESSURE_WEBHOOK_ALLOW),
  };
}
