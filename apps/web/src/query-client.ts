import { fullJitterBackoff } from '@portpressure/domain';
import { QueryClient } from '@tanstack/react-query';
import { ApiRequestError, SignedOutError } from './api.ts';

/** How often a failed load is tried again before its error shows (network errors and 5xx only). */
const RETRIES = 2;

/**
 * Every fetch of the web goes through this one cache (TanStack Query): polling pauses while the
 * tab is hidden (`refetchIntervalInBackground` off) and catches up when it is shown again, failed
 * loads are retried with the shared backoff, the live channel patches cached answers
 * (host-page.tsx) and sign-out clears the whole cache (app.tsx).
 */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx answer (not found, forbidden, signed out) will not change by asking again.
      retry: (failures, error) =>
        failures < RETRIES && !(error instanceof SignedOutError) && !(error instanceof ApiRequestError && error.status < 500),
      retryDelay: (attempt) => fullJitterBackoff(attempt, { baseMs: 500, capMs: 4_000 }),
      refetchIntervalInBackground: false,
      refetchOnWindowFocus: true,
      // Answers polled on an interval are fresh until the next poll; others for a few seconds.
      staleTime: 2_000,
    },
  },
});

/** The message of a query's error for an alert line; none for a sign-out (the app shows sign-in). */
export function queryErrorText(error: unknown): string | null {
  if (error === null || error === undefined || error instanceof SignedOutError) return null;
  return error instanceof Error ? error.message : String(error);
}
