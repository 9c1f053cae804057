import { useCallback, useEffect, useRef, useState } from 'react';
import { SignedOutError } from '../api.ts';

export interface Polled<T> {
  data: T | null;
  error: string | null;
  /** Loads again now (after an action), without waiting for the next poll. */
  reload: () => void;
}

/**
 * Loads on mount and whenever `key` changes, then every `intervalMs`: incidents and deliveries
 * change on the server by themselves. A failed poll keeps the last data and shows the error.
 */
export function usePolled<T>(load: (signal: AbortSignal) => Promise<T>, key: string, intervalMs = 5000): Polled<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const abort = new AbortController();
    const run = () =>
      loadRef.current(abort.signal).then(
        (value) => {
          if (abort.signal.aborted) return;
          setData(value);
          setError(null);
        },
        (e: unknown) => {
          if (abort.signal.aborted || e instanceof SignedOutError) return;
          setError(e instanceof Error ? e.message : String(e));
        },
      );
    void run();
    const timer = setInterval(() => void run(), intervalMs);
    return () => {
      abort.abort();
      clearInterval(timer);
    };
  }, [key, version, intervalMs]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { data, error, reload };
}

/** The message of anything thrown, for an alert line. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
