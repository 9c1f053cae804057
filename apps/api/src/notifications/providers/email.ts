import nodemailer from 'nodemailer';
import { z } from 'zod';
import { tunnelProxyFor } from '../egress-proxy.ts';
import type { DeliveryOutcome } from '../http-sender.ts';
import { renderFacts, renderSummary, renderText, renderTitle, type AlertNotification, type RenderOptions } from '../notification.ts';
import type { DirectProvider } from './chat-provider.ts';
import { notificationColor, optionalField } from './chat-provider.ts';
import { REDACTED_SECRET } from './webhook.ts';

const address = z.email({ error: 'must be an e-mail address' }).max(320);

export const emailSettingsSchema = z.object({
  /** SMTP server (relay or submission server). */
  host: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[\w.:[\]-]+$/, 'host must be a host name or IP address'),
  port: z.coerce.number().int().min(1).max(65_535).default(587),
  /** starttls: upgrade required (port 587); tls: TLS from the start (port 465); none: no encryption (a local relay). */
  security: z.enum(['starttls', 'tls', 'none']).default('starttls'),
  username: z.string().min(1).max(320).optional(),
  password: z.string().min(1).max(1024).optional(),
  from: address,
  /** Recipients, comma-separated. */
  to: z
    .string()
    .min(1)
    .max(2000)
    .refine((v) => v.split(',').every((a) => address.safeParse(a.trim()).success), 'to must be e-mail addresses separated by commas'),
  /** Accept a certificate no public authority signed (an in-house relay). Off by default. */
  allowSelfSigned: z.boolean().default(false),
});
export type EmailSettings = z.infer<typeof emailSettingsSchema>;

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** Subject, plain text and HTML of one notification; every value from the notification is escaped in the HTML. */
function renderEmail(n: AlertNotification, options: RenderOptions = {}): RenderedEmail {
  const title = renderTitle(n);
  const rows = renderFacts(n, options)
    .map((f) => `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(f.label)}</th><td>${escapeHtml(f.value)}</td></tr>`)
    .join('');
  const html =
    `<!doctype html><html><body style="font-family:sans-serif">` +
    `<h2 style="border-left:6px solid ${notificationColor(n)};padding-left:8px">${escapeHtml(title)}</h2>` +
    `<p>${escapeHtml(renderSummary(n, options))}</p><table>${rows}</table>` +
    `<p><a href="${escapeHtml(n.hostUrl)}">Open ${escapeHtml(n.host.hostname)} in Portpressure</a></p></body></html>`;
  return { subject: `[Portpressure] ${title}`.replace(/[\r\n]+/g, ' '), text: renderText(n, options), html };
}

interface SmtpErrorLike {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  message?: unknown;
}

/**
 * SMTP replies 5xx, refused credentials and certificates that do not verify fail at once (no retry
 * changes them); 4xx replies, timeouts and network errors are retried.
 */
function classifySmtpError(error: unknown, durationMs: number): DeliveryOutcome {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SmtpErrorLike;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const reply = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const message = typeof e.response === 'string' ? e.response : typeof e.message === 'string' ? e.message : String(error);
  // nodemailer reports a refused certificate as a socket error; only its message says so
  const badCertificate = /certificate|self[- ]signed|altname|CERT_/i.test(message);
  const permanent = (reply !== undefined && reply >= 500) || code === 'EAUTH' || code === 'ETLS' || badCertificate;
  return {
    ok: false,
    retryable: !permanent,
    ...(reply === undefined ? {} : { status: reply }),
    error: `SMTP ${code ?? 'error'}${reply === undefined ? '' : ` ${reply}`}: ${message.replace(/\s+/g, ' ').slice(0, 300)}`,
    durationMs,
  };
}

/** E-mail over SMTP, plain text and HTML in one message; through the egress proxy (CONNECT) when one applies. */
export const emailProvider: DirectProvider<EmailSettings, 'email'> = {
  name: 'email',
  displayName: 'E-mail (SMTP)',
  settingsSchema: emailSettingsSchema,
  fields: {
    host: { label: 'SMTP server', input: 'text', required: true, secret: false },
    port: optionalField('Port', 'text', { help: 'Default 587 (465 for TLS)' }),
    security: optionalField('Security', 'select', { options: ['starttls', 'tls', 'none'] }),
    username: optionalField('User name', 'text'),
    password: { label: 'Password', input: 'secret', required: false, secret: true },
    from: { label: 'From', input: 'text', required: true, secret: false },
    to: { label: 'To', input: 'text', required: true, secret: false, help: 'Addresses, comma-separated' },
    allowSelfSigned: optionalField('Accept a self-signed certificate', 'boolean'),
  },
  async send(notification, settings, context) {
    const startedAt = performance.now();
    const { timeoutMs, proxy } = context.egress;
    const tunnel = tunnelProxyFor(settings.host, settings.port, proxy);
    const transport = nodemailer.createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.security === 'tls',
      requireTLS: settings.security === 'starttls',
      ignoreTLS: settings.security === 'none',
      ...(settings.username === undefined ? {} : { auth: { user: settings.username, pass: settings.password ?? '' } }),
      tls: { rejectUnauthorized: !settings.allowSelfSigned },
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      ...(tunnel === undefined ? {} : { proxy: tunnel }),
    });
    const mail = renderEmail(notification, context);
    try {
      const info = await transport.sendMail({
        from: settings.from,
        to: settings.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        // Threads a firing message, its reminders and its resolution together in mail clients.
        headers: { 'X-Portpressure-Notification-Id': notification.id },
      });
      const accepted = Array.isArray(info.accepted) ? info.accepted.length : 0;
      if (accepted === 0)
        return {
          ok: false,
          retryable: false,
          error: 'SMTP server accepted no recipient',
          durationMs: Math.round(performance.now() - startedAt),
        };
      return { ok: true, status: 250, durationMs: Math.round(performance.now() - startedAt) };
    } catch (error) {
      return classifySmtpError(error, Math.round(performance.now() - startedAt));
    } finally {
      transport.close();
    }
  },
  redact(settings) {
    return settings.password === undefined ? settings : { ...settings, password: REDACTED_SECRET };
  },
};
