import { describe, expect, it } from 'vitest';
import { installCommand, parseLabelInput } from './install-command.ts';

describe('the install command', () => {
  it('passes the token and each label to the script', () => {
    expect(installCommand('http://pp:8080', 'ppe_abc', ['env=prod', 'team=web'])).toBe(
      'curl -fsSL http://pp:8080/install.sh | sudo sh -s -- --token ppe_abc --label env=prod --label team=web',
    );
  });

  it('quotes a token a shell would otherwise interpret', () => {
    expect(installCommand('http://pp', "a b'$c", [])).toBe(`curl -fsSL http://pp/install.sh | sudo sh -s -- --token 'a b'\\''$c'`);
  });

  it('reads labels separated by commas or spaces and names a malformed one', () => {
    expect(parseLabelInput(' env=prod, team=web  zone=a ')).toEqual({ labels: ['env=prod', 'team=web', 'zone=a'], error: null });
    expect(parseLabelInput('env=prod oops').error).toContain('"oops"');
  });
});
