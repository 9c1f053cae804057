/**
 * Characters that change how text around them looks without being seen themselves: bidirectional
 * overrides and isolates (U+202A-202E, U+2066-2069) that make "host-a‮lper" read backwards,
 * zero-width spaces and joiners, soft hyphens, and the remaining format (Cf), control (Cc) and
 * line/paragraph separator characters. Agents may report such hostnames and labels; the schemas
 * keep out only C0 controls, since a real hostname can be any UTF-8.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/**
 * Text as it may be shown to people: every invisible character replaced by its code point in
 * brackets (`⟨U+202E⟩`), so two hosts that look alike are told apart and no name can reorder
 * what follows it in a page or a chat message.
 */
export function visibleText(text: string): string {
  return text.replace(INVISIBLE, (c) => `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`);
}

/** Whether visibleText would change `text`. */
export function hasInvisibleCharacters(text: string): boolean {
  INVISIBLE.lastIndex = 0;
  return INVISIBLE.test(text);
}
