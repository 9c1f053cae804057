import type { ReactNode } from 'react';

/** One row of a form's grid: the label, the control it names (`id`), and an optional hint below. */
export function FormRow({ id, label, hint, children }: { id: string; label: string; hint?: string | undefined; children: ReactNode }) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && <p className="hint">{hint}</p>}
    </>
  );
}
