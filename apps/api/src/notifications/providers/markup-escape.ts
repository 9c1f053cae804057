import { visibleText } from '@portpressure/protocol';
import type { AlertNotification } from '../notification.ts';

/**
 * Escaping of user-controlled text (host names, labels, rule names) for each chat service's own
 * markup, so a host named `[click](https://evil.example)` or `<users/all>` is shown as those
 * characters instead of becoming a link, an image or a mention. Each also makes invisible
 * characters (bidi overrides, zero-width spaces) visible. Slack and Google Chat cards use
 * escapeAngleMarkup (chat-provider.ts), which those services document.
 */

/** CommonMark: a backslash before ASCII punctuation shows it literally (Discord, Mattermost). */
const MARKDOWN_SPECIAL = /[\\`*_~[\]()<>#|!]/g;

/** Discord embeds: Markdown escaped; mentions are also switched off with `allowed_mentions`. */
export function escapeDiscord(text: string): string {
  return visibleText(text).replace(MARKDOWN_SPECIAL, (c) => `\\${c}`);
}

/**
 * Mattermost: Markdown escaped, and `@` made a look-alike, since `@channel`, `@all` and `@here`
 * notify everyone and an escaped `\@` is not reliably left alone by its mention parser.
 */
export function escapeMattermost(text: string): string {
  return visibleText(text)
    .replace(MARKDOWN_SPECIAL, (c) => `\\${c}`)
    .replaceAll('@', '＠');
}

/**
 * Teams Adaptive Cards render a Markdown subset whose backslash escapes are not honoured
 * consistently across clients, so the characters that open links, images and HTML-ish markup
 * become look-alikes instead: `[` `]` `<` `>`. Emphasis characters stay, they only style text.
 */
export function escapeTeams(text: string): string {
  return visibleText(text).replaceAll('[', '［').replaceAll(']', '］').replaceAll('<', '‹').replaceAll('>', '›');
}

/**
 * Google Chat text messages: `<users/all>` mentions everyone and `<url|text>` is a link, and the
 * text syntax has no escape for `<`, so the angle brackets become look-alikes.
 */
export function escapeGoogleChatText(text: string): string {
  return visibleText(text).replaceAll('<', '‹').replaceAll('>', '›');
}

/**
 * The notification with its user-controlled text (host name, labels, rule name) escaped for one
 * service, so the shared renderers (renderTitle, renderFacts…) produce that service's safe text
 * while the parts Portpressure writes itself keep their formatting.
 */
export function escapeNotification(n: AlertNotification, escapeText: (text: string) => string): AlertNotification {
  return {
    ...n,
    ruleName: escapeText(n.ruleName),
    host: {
      ...n.host,
      hostname: escapeText(n.host.hostname),
      labels: Object.fromEntries(Object.entries(n.host.labels).map(([k, v]) => [escapeText(k), escapeText(v)])),
    },
  };
}
