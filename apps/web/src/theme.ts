import { useSyncExternalStore } from 'react';

export type ThemeChoice = 'system' | 'light' | 'dark';
const STORAGE_KEY = 'portpressure.theme';
const CHANGE_EVENT = 'portpressure:theme';

function readChoice(): ThemeChoice {
  const v = localStorage.getItem(STORAGE_KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

function apply(choice: ThemeChoice): void {
  if (choice === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
}

/** Applies the stored choice before the first render, so the page never flashes the wrong theme. */
export function initTheme(): void {
  apply(readChoice());
}

export function setThemeChoice(choice: ThemeChoice): void {
  if (choice === 'system') localStorage.removeItem(STORAGE_KEY);
  else localStorage.setItem(STORAGE_KEY, choice);
  apply(choice);
  window.dispatchEvent(new Event(CHANGE_EVENT));
}

function subscribe(onChange: () => void): () => void {
  const media = matchMedia('(prefers-color-scheme: dark)');
  window.addEventListener(CHANGE_EVENT, onChange);
  media.addEventListener('change', onChange);
  return () => {
    window.removeEventListener(CHANGE_EVENT, onChange);
    media.removeEventListener('change', onChange);
  };
}

export function useThemeChoice(): ThemeChoice {
  return useSyncExternalStore(subscribe, readChoice);
}

/** The theme in effect ('light' or 'dark'), for code that draws with colours (charts). */
export function useResolvedTheme(): 'light' | 'dark' {
  const choice = useThemeChoice();
  const systemDark = useSyncExternalStore(subscribe, () => matchMedia('(prefers-color-scheme: dark)').matches);
  return choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;
}
