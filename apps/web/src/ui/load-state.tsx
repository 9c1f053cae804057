/** The error of the last load (kept beside older data) and, until the first data arrives, "Loading…". */
export function LoadState({ error, loaded }: { error: string | null; loaded: boolean }) {
  return (
    <>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!loaded && !error && <p className="muted">Loading…</p>}
    </>
  );
}
