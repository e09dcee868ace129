import type { CapturedEmail } from "./inbox.ts";

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Safe in element text and in quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

const STYLE = `
  body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
  article { border: 1px solid #ccc; border-radius: 6px; margin: 1rem 0; padding: 0.75rem 1rem; }
  h2 { font-size: 1.1rem; margin: 0 0 0.5rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 1rem; margin: 0 0 0.5rem; }
  dt { color: #666; }
  pre { white-space: pre-wrap; background: #f6f6f6; padding: 0.5rem; }
  iframe { width: 100%; height: 20rem; border: 1px solid #ddd; }
`;

function field(label: string, value: string | string[] | null): string {
  const text = Array.isArray(value) ? value.join(", ") : value;
  return text ? `<dt>${label}</dt><dd>${escapeHtml(text)}</dd>` : "";
}

function emailArticle(email: CapturedEmail): string {
  // The HTML body is shown in a sandboxed frame without scripts: mail is untrusted content.
  const html = email.html
    ? `<iframe sandbox title="HTML body" srcdoc="${escapeHtml(email.html)}"></iframe>`
    : "";
  const text = email.text ? `<pre>${escapeHtml(email.text)}</pre>` : "";
  return `<article id="${escapeHtml(email.id)}">
<h2>${escapeHtml(email.subject || "(no subject)")}</h2>
<dl>${field("From", email.from)}${field("To", email.to)}${field("Cc", email.cc)}${field("Bcc", email.bcc)}${field("Received", new Date(email.receivedAt).toISOString())}${field("Idempotency key", email.idempotencyKey)}${field("Id", email.id)}</dl>
${html}${text}
</article>`;
}

/** A page a developer can read captured mail on, newest first. */
export function renderInboxPage(emails: readonly CapturedEmail[]): string {
  const articles = emails.length ? [...emails].reverse().map(emailArticle).join("\n") : "<p>No mail yet.</p>";
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Nudge mail capture (${emails.length})</title><style>${STYLE}</style></head>
<body>
<h1>Captured mail (${emails.length})</h1>
${articles}
</body>
</html>
`;
}
