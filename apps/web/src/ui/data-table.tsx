import type { ReactNode } from 'react';
import { RequireRole } from '../session-context.tsx';

interface DataTableProps<T> {
  /** `data-testid` of the table. */
  testId?: string;
  columns: string[];
  /** Adds a last column, headed for screen readers only, for each row's buttons. */
  actions?: boolean;
  /** Null while loading: nothing is shown. */
  rows: readonly T[] | null;
  /** Shown instead of the table when there are no rows; without it an empty table is shown. */
  empty?: ReactNode;
  row: (item: T) => ReactNode;
}

/** The list tables of the alert, settings, users and audit pages. */
export function DataTable<T>({ testId, columns, actions = false, rows, empty, row }: DataTableProps<T>) {
  if (rows === null) return null;
  if (rows.length === 0 && empty !== undefined) return <>{empty}</>;
  return (
    <table className="alerts-table" data-testid={testId}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c}>{c}</th>
          ))}
          {actions && (
            <th className="actions">
              <span className="visually-hidden">Actions</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>{rows.map(row)}</tbody>
    </table>
  );
}

/** A row's Edit and Delete buttons (after any `children`), for editors and admins only. */
export function EditDeleteCell({ onEdit, onDelete, children }: { onEdit: () => void; onDelete: () => void; children?: ReactNode }) {
  return (
    <td className="actions">
      <RequireRole role="editor">
        {children}
        <button type="button" onClick={onEdit}>
          Edit
        </button>
        <button type="button" className="ghost" onClick={onDelete}>
          Delete
        </button>
      </RequireRole>
    </td>
  );
}
