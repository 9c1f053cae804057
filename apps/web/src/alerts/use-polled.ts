import { useQuery, type QueryKey } from '@tanstack/react-query';
import { useCallback } from 'react';
import { queryErrorText } from '../query-client.ts';

export interface Polled<T> {
  data: T | null;
  error: string | null;
  /** Loads again now (after an action), without waiting for the next poll. */
  reload: () => void;
}

/**
 * Loads through the shared query cache when first shown and whenever `key` changes, then every
 * `intervalMs` while the tab is visible: incidents and deliveries change on the server by
 * themselves. A failed poll keeps the last data and shows the error.
 */
export function usePolled<T>(load: (signal: AbortSignal) => Promise<T>, key: QueryKey, intervalMs = 5000): Polled<T> {
  const query = useQuery({ queryKey: key, queryFn: ({ signal }) => load(signal), refetchInterval: intervalMs });
  const { refetch } = query;
  const reload = useCallback(() => void refetch(), [refetch]);
  return { data: query.data ?? null, error: queryErrorText(query.error), reload };
}

/** The message of anything thrown, for an alert line. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
