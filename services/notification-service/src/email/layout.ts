/**
 * The building blocks every Nudge email is made of. The HTML is deliberately plain so it renders
 * the same in Gmail, Outlook, Apple Mail and phone clients: no tables, no <style> block (clients
 * strip it), inline styles only, no images and nothing that loads from anywhere (no tracking).
 * Dark mode: nothing sets a page background or a text colour that a client's inversion would
 * make unreadable; the only filled elements are the buttons, white on a mid blue that reads on
 * light and dark alike.
 */
import { escapeHtml } from "@nudge/http";

export { escapeHtml };

const BUTTON =
  "display:inline-block;margin:0 8px 8px 0;padding:10px 16px;border-radius:6px;background-color:#2563eb;" +
  "color:#ffffff;text-decoration:none;font-weight:600;font-size:15px;line-height:20px;";
const SMALL_BUTTON =
  "display:inline-block;margin:0 6px 6px 0;padding:6px 10px;border-radius:5px;background-color:#2563eb;" +
  "color:#ffffff;text-decoration:none;font-weight:600;font-size:13px;line-height:18px;";
const MUTED = "color:#6b7280;font-size:13px;line-height:19px;";

export interface Action {
  label: string;
  url: string;
}

export function buttons(actions: Action[], small = false): string {
  const style = small ? SMALL_BUTTON : BUTTON;
  return `<p style="margin:16px 0 8px;">${actions
    .map((a) => `<a href="${escapeHtml(a.url)}" style="${style}">${escapeHtml(a.label)}</a>`)
    .join("\n")}</p>`;
}

export const heading = (text: string) =>
  `<h1 style="margin:0 0 8px;font-size:20px;line-height:28px;font-weight:700;">${escapeHtml(text)}</h1>`;
export const subheading = (text: string) =>
  `<h2 style="margin:24px 0 4px;font-size:16px;line-height:22px;font-weight:700;">${escapeHtml(text)}</h2>`;
export const paragraph = (html: string) =>
  `<p style="margin:0 0 8px;font-size:15px;line-height:22px;">${html}</p>`;
export const muted = (html: string) => `<p style="margin:0 0 6px;${MUTED}">${html}</p>`;
export const link = (label: string, url: string) =>
  `<a href="${escapeHtml(url)}" style="color:#2563eb;">${escapeHtml(label)}</a>`;

/** The whole HTML part: one column, system fonts, the footer that says why and how to stop. */
export function htmlDocument(title: string, preheader: string, content: string[], footer: string[]): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>${escapeHtml(title)}</title>
</head>
<body style="margin:0;padding:0;">
<div style="display:none;max-height:0;overflow:hidden;">${escapeHtml(preheader)}</div>
<div style="max-width:560px;margin:0 auto;padding:24px 16px;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;">
${content.join("\n")}
<hr style="border:0;border-top:1px solid #9ca3af;margin:24px 0 12px;">
${footer.join("\n")}
</div>
</body>
</html>
`;
}

/** Plain-text part: short lines, every link on a line of its own so any client can open it. */
export function textDocument(blocks: string[][]): string {
  return `${blocks.map((lines) => lines.join("\n")).join("\n\n")}\n`;
}

export const textActions = (actions: Action[]) => actions.map((a) => `${a.label}: ${a.url}`);
