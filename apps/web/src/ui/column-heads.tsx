/** A column heading: its text, whether it heads numbers (right-aligned), and a tooltip. */
export interface ColumnHead {
  label: string;
  numeric?: boolean;
  title?: string;
}

/** The `<thead>` of a table whose columns are headed by plain text (a string is a column's label). */
export function ColumnHeads({ columns }: { columns: readonly (string | ColumnHead)[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column) => {
          const { label, numeric, title } = typeof column === 'string' ? { label: column } : column;
          return (
            <th key={label} scope="col" className={numeric ? 'num' : undefined} title={title}>
              {label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}
