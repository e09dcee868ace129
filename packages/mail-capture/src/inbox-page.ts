// The module alone: the capture inbox is its own small image and needs none of the HTTP stack.
import { escapeHtml } from "@nudge/http/html";
import type { CapturedEmail } from "./inbox.ts";

const STYLE = `
  body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
  article { border: 1px solid #ccc; border-radius: 6px; margin: 1rem 0; padding: 0.75rem 1rem; }
  h2 { font-size: 1.1rem; margin: 0 0 0.5rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 1rem; margin: 0 0 0.5rem; }
  dt { color: #666; }
  pre { white-space: pre-wrap; background: #f6f6f6; padding: 0.5rem; }
  iframe { width: 100%; height: 28rem; border: 1px solid #ddd; }
  details { margin: 0 0 0.5rem; } summary { cursor: pointer; color: #444; }
  dl.headers dd { font-family: ui-monospace, monospace; font-size: 12px; overflow-wrap: anywhere; }
  ul.links { margin: 0.25rem 0; padding-left: 1.25rem; } ul.links a { overflow-wrap: anywhere; }
  form { margin: 0.5rem 0; }
`;

function field(label: string, value: string | string[] | null): string {
  const text = Array.isArray(value) ? value.join(", ") : value;
  return text ? `<dt>${label}</dt><dd>${escapeHtml(text)}</dd>` : "";
}

const ANCHOR = /<a\b[^>]*?href\s*=\s*"([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi;
const URL_IN_TEXT = /https?:\/\/[^\s<>"')]+/g;
const decode = (text: string) =>
  text.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_, e: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[e] ?? "",
  );

/** Every http(s) link of the email, with the text it is shown under, so a developer can click it. */
export function linksOf(email: Pick<CapturedEmail, "html" | "text">): Array<{ label: string; url: string }> {
  const found = new Map<string, string>();
  for (const [, href = "", label = ""] of (email.html ?? "").matchAll(ANCHOR)) {
    const url = decode(href);
    if (/^https?:\/\//i.test(url) && !found.has(url))
      found.set(url, decode(label.replace(/<[^>]*>/g, "")).trim() || url);
  }
  for (const line of (email.text ?? "").split("\n")) {
    for (const [url] of line.matchAll(URL_IN_TEXT)) {
      if (!found.has(url))
        found.set(
          url,
          line
            .slice(0, line.indexOf(url))
            .replace(/[:\s]+$/, "")
            .trim() || url,
        );
    }
  }
  return [...found].map(([url, label]) => ({ label, url }));
}

/** The HTTPS target of List-Unsubscribe, when the email offers RFC 8058 one-click unsubscribe. */
function oneClickTarget(headers: Record<string, string>): string | undefined {
  const entry = (name: string) => Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  if (entry("list-unsubscribe-post")?.trim() !== "List-Unsubscribe=One-Click") return undefined;
  return [...(entry("list-unsubscribe") ?? "").matchAll(/<(https?:[^>]+)>/gi)][0]?.[1];
}

function emailArticle(email: CapturedEmail): string {
  // The HTML body is shown in a sandboxed frame without scripts: mail is untrusted content. Its
  // links open in a new tab, outside the sandbox, so the pages they lead to work as in a mail client.
  const html = email.html
    ? `<iframe sandbox="allow-popups allow-popups-to-escape-sandbox" title="HTML body" srcdoc="${escapeHtml(`<base target="_blank">${email.html}`)}"></iframe>`
    : "";
  const text = email.text ? `<pre>${escapeHtml(email.text)}</pre>` : "";
  const headers = Object.entries(email.headers ?? {});
  const headerList = headers.length
    ? `<details open><summary>Headers (${headers.length})</summary><dl class="headers">${headers.map(([name, value]) => field(escapeHtml(name), value)).join("")}</dl></details>`
    : "";
  const links = linksOf(email);
  const linkList = links.length
    ? `<details open><summary>Links (${links.length})</summary><ul class="links">${links
        .map(
          ({ label, url }) =>
            `<li><a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${escapeHtml(label)}</a></li>`,
        )
        .join("")}</ul></details>`
    : "";
  const oneClick = oneClickTarget(email.headers ?? {});
  // What a mailbox provider does with List-Unsubscribe-Post (RFC 8058): a POST with this one field.
  const unsubscribe = oneClick
    ? `<form method="post" action="${escapeHtml(oneClick)}" target="_blank"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">One-click unsubscribe (as a mailbox provider sends it)</button></form>`
    : "";
  return `<article id="${escapeHtml(email.id)}">
<h2>${escapeHtml(email.subject || "(no subject)")}</h2>
<dl>${field("From", email.from)}${field("To", email.to)}${field("Cc", email.cc)}${field("Bcc", email.bcc)}${field("Reply-To", email.replyTo)}${field("Received", new Date(email.receivedAt).toISOString())}${field("Idempotency key", email.idempotencyKey)}${field("Id", email.id)}</dl>
${headerList}${linkList}${unsubscribe}
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
