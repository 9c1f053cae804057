/** Labels as typed into the panel: `env=prod, team=web` (commas or spaces between them). */
export function parseLabelInput(text: string): { labels: string[]; error: string | null } {
  const labels = text
    .split(/[\s,]+/)
    .map((l) => l.trim())
    .filter(Boolean);
  const bad = labels.find((l) => !/^[A-Za-z0-9_./-]+=[A-Za-z0-9_./:@-]*$/.test(l));
  return { labels, error: bad ? `"${bad}" is not key=value (letters, digits, _ . / - only)` : null };
}

/** Single-quotes a value for sh when it holds anything a shell would interpret. */
function shellWord(value: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The one line that installs (or upgrades) the agent on a host, as the install script takes it. */
export function installCommand(origin: string, token: string, labels: string[]): string {
  const args = ['--token', shellWord(token), ...labels.flatMap((l) => ['--label', shellWord(l)])];
  return `curl -fsSL ${origin}/install.sh | sudo sh -s -- ${args.join(' ')}`;
}
