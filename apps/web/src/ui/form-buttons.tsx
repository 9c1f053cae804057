import { RequireRole } from '../session-context.tsx';

/** A form's submit button (disabled while busy) and its Cancel. */
export function FormButtons({ submit, busy, onCancel }: { submit: string; busy: boolean; onCancel: () => void }) {
  return (
    <div className="buttons">
      <button type="submit" className="primary" disabled={busy}>
        {submit}
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

/** A list page's button that opens the form for a new item, for editors and admins only. */
export function NewItemButton({ label, onClick, disabled = false }: { label: string; onClick: () => void; disabled?: boolean }) {
  return (
    <RequireRole role="editor">
      <button type="button" className="primary" onClick={onClick} disabled={disabled}>
        {label}
      </button>
    </RequireRole>
  );
}
