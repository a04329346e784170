import nodemailer, { type Transporter } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import type { ChannelSender, EmailConfig, FailureReport } from './types';
import { boundLine } from './bounds';
import { renderEmailBodies } from './email-templates';

const DEFAULT_SUBJECT_PREFIX = '[incident-bridge]';
const MAX_SUBJECT_CHARS = 200;
// nodemailer's defaults (2 min connect, 10 min idle socket) outlast the notify activity's 30 s timeout, and a
// send still running when Temporal retries the activity could deliver the same mail twice.
const SMTP_TIMEOUTS = { connectionTimeout: 5_000, greetingTimeout: 5_000, socketTimeout: 15_000 };

export function emailSubject(config: Pick<EmailConfig, 'subjectPrefix'>, report: FailureReport): string {
  const prefix = config.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
  const subject = `${prefix} ${report.outcome}: ${report.trigger} ${report.table} ${report.rowKey ?? report.eventId}`;
  return boundLine(subject, MAX_SUBJECT_CHARS);
}

/** One pooled SMTP transport, opened on the first message so a process that never fails never connects. */
export function createEmailSender(config: EmailConfig): ChannelSender {
  let transport: Transporter | undefined;
  const openTransport = (): Transporter =>
    nodemailer.createTransport({
      pool: true,
      host: config.host,
      port: config.port,
      secure: config.secure,
      requireTLS: config.requireTls,
      auth: config.auth && { user: config.auth.user, pass: config.auth.pass.reveal() },
      ...SMTP_TIMEOUTS,
    });

  return {
    async send(report, idempotencyKey) {
      transport ??= openTransport();
      const { text, html } = await renderEmailBodies(report);
      try {
        const subject = emailSubject(config, report);
        const messageId = `<${idempotencyKey}@${senderDomain(config.from)}>`;
        await transport.sendMail({ from: config.from, to: config.to, subject, text, html, messageId });
      } catch (error) {
        throw new Error(`email notification failed: ${describeSmtpFailure(error)}`);
      }
    },
    async close() {
      transport?.close();
      transport = undefined;
    },
  };
}

/**
 * The Message-ID's right part: the sender's domain, as RFC 5322 suggests. The left part is the
 * notification's idempotency key, so a resend has the same Message-ID and mail systems that
 * deduplicate by it keep one copy.
 */
function senderDomain(from: string): string {
  const [sender] = addressparser(from, { flatten: true });
  return sender?.address?.split('@')[1] || 'incident-bridge.invalid';
}

/**
 * Only the SMTP reply code and nodemailer's error code: the server's reply text and nodemailer's message
 * can echo the login, and this message ends up in Temporal history.
 */
function describeSmtpFailure(error: unknown): string {
  const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
  const parts: string[] = [];
  if (typeof responseCode === 'number') parts.push(`SMTP ${responseCode}`);
  if (typeof code === 'string' && /^[A-Z_]{1,32}$/.test(code)) parts.push(code);
  return parts.length > 0 ? parts.join(' ') : 'unknown SMTP error';
}
