import { describe, expect, it } from 'vitest';
import { hasInvisibleCharacters, visibleText } from './visible-text.ts';

describe('visibleText', () => {
  it('shows bidi overrides, zero-width and control characters as code points', () => {
    expect(visibleText('db\u202Eexe.cod')).toBe('db⟨U+202E⟩exe.cod');
    expect(visibleText('a\u200Bb\u2066c\u00ADd\u0007')).toBe('a⟨U+200B⟩b⟨U+2066⟩c⟨U+00AD⟩d⟨U+0007⟩');
    expect(hasInvisibleCharacters('web-1.prod')).toBe(false);
    expect(hasInvisibleCharacters('web\u200D1')).toBe(true);
  });

  it('leaves ordinary text, including non-Latin names, alone', () => {
    for (const text of ['web-1.prod', 'сервер-1', 'サーバー', 'db_01:5432']) expect(visibleText(text)).toBe(text);
  });
});
