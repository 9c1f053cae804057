import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The raw message (headers and MIME body). */
  raw: string;
  /** Whether the session had been upgraded with STARTTLS (or was TLS) when the message came. */
  secure: boolean;
  user: string | undefined;
}

export interface SmtpSink {
  port: number;
  readonly messages: ReceivedMail[];
  /** Answers the next DATA commands with these SMTP replies (e.g. 451 or 550) instead of accepting. */
  refuseNext(...replies: Array<{ code: number; message: string }>): void;
  close(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1, made by openssl for this test run only. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'pp-smtp-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A real SMTP server on loopback (smtp-server) offering STARTTLS with a self-signed certificate
 * and requiring the given credentials; records every accepted message.
 */
export async function startSmtpSink(options: { username: string; password: string }): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const refusals: Array<{ code: number; message: string }> = [];
  const { key, cert } = selfSignedCertificate();
  const server = new SMTPServer({
    key,
    cert,
    secure: false,
    authOptional: false,
    // credentials only over TLS, as a real submission server insists
    allowInsecureAuth: false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === options.username && auth.password === options.password) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const refusal = refusals.shift();
        if (refusal !== undefined) {
          const error = Object.assign(new Error(refusal.message), { responseCode: refusal.code });
          callback(error);
          return;
        }
        messages.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : undefined,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    messages,
    refuseNext: (...replies) => void refusals.push(...replies),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
