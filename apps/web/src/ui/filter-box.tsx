import type { Ref } from 'react';

interface FilterBoxProps {
  id: string;
  /** Read by screen readers only. */
  label: string;
  placeholder: string;
  value: string;
  onChange: (text: string) => void;
  ref?: Ref<HTMLInputElement>;
}

/** The search box of a list page's toolbar. */
export function FilterBox({ id, label, placeholder, value, onChange, ref }: FilterBoxProps) {
  return (
    <>
      <label className="visually-hidden" htmlFor={id}>
        {label}
      </label>
      <input id={id} ref={ref} type="search" placeholder={placeholder} value={value} onChange={(e) => onChange(e.target.value)} />
    </>
  );
}
