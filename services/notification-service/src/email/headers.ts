import type { MailingLinks } from "@nudge/contracts";

/** Sender settings from configuration (EMAIL_FROM, EMAIL_REPLY_TO, EMAIL_UNSUBSCRIBE_MAILTO). */
export interface Sender {
  from: string;
  replyTo?: string;
  /** The mailbox that takes `mailto:` unsubscribes (the link's token in the subject). */
  unsubscribeMailto?: string;
}

/**
 * The headers every email of a mailing (reminders, digest) carries:
 * - List-Unsubscribe with an HTTPS URL and, when configured, a mailto (RFC 2369), and
 *   List-Unsubscribe-Post for one-click unsubscribe without login or confirmation (RFC 8058);
 * - Auto-Submitted so vacation responders stay quiet (RFC 3834);
 * - X-Entity-Ref-ID, distinct per email, so clients do not thread every reminder together.
 */
export function mailingHeaders(
  links: MailingLinks,
  sender: Sender,
  entityRef: string,
): Record<string, string> {
  const targets = [`<${links.unsubscribe}>`];
  if (sender.unsubscribeMailto) {
    const subject = encodeURIComponent(`unsubscribe ${links.unsubscribeToken}`);
    targets.push(`<mailto:${sender.unsubscribeMailto}?subject=${subject}>`);
  }
  return {
    "List-Unsubscribe": targets.join(", "),
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    "Auto-Submitted": "auto-generated",
    "X-Entity-Ref-ID": entityRef,
  };
}
