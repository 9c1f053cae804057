/**
 * Secrets that must never reach a log line, even inside a message string: Portpressure's API
 * tokens and host credentials, passwords in connection URLs, and the
 * path and query of any other URL (chat webhook URLs carry their secret there, e.g. Slack's
 * /services/T…/B…/secret). A URL keeps its origin so the line still says where it went.
 */
// Not `ppe_`: a generated enrollment token is printed once on purpose (it is stored only hashed,
// so the log is the one place its owner can read it); the code never logs a configured one.
const OWN_TOKENS = /\b(pp[tc]_)[A-Za-z0-9_-]{8,}/g;
const URLS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'<>]+@)?([^\s/?#"'<>]*)([^\s"'<>]*)/gi;

export function scrubSecrets(text: string): string {
  return text
    .replace(OWN_TOKENS, '$1[redacted]')
    .replace(URLS, (_all, scheme: string, userinfo: string | undefined, host: string, rest: string) => {
      const user = userinfo ? `${userinfo.split(':')[0]?.replace(/@$/, '')}:[redacted]@` : '';
      return `${scheme}${user}${host}${rest && rest !== '/' ? '/[redacted]' : rest}`;
    });
}

/** Object keys whose values are secrets wherever they appear in a logged object. */
export const SECRET_KEYS = ['password', 'token', 'secret', 'webhookUrl', 'authorization', 'cookie', 'credential', 'enrollmentToken'];
