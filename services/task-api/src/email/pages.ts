/**
 * The small HTML pages email links lead to. Plain semantic HTML, one stylesheet in the page, no
 * script, light and dark; every page is complete without images. Pure: data in, HTML out.
 */
export interface Page {
  status: number;
  /** Names the outcome for machines (tests, logs): `data-outcome` on <main>. */
  outcome: string;
  title: string;
  body: string;
}

import { escapeHtml } from "@nudge/http";

export { escapeHtml };

const STYLE = `
  :root { color-scheme: light dark; --fg: #1d2125; --muted: #5c6670; --bg: #ffffff; --card: #f4f5f7;
          --accent: #1f5fd1; --accent-fg: #ffffff; --border: #d5d9de; }
  @media (prefers-color-scheme: dark) {
    :root { --fg: #e7e9ec; --muted: #a3acb5; --bg: #15181b; --card: #1f2327; --accent: #7aa7ff;
            --accent-fg: #0b1220; --border: #3a4047; }
  }
  body { margin: 0; background: var(--bg); color: var(--fg); font: 16px/1.5 system-ui, sans-serif; }
  main { max-width: 34rem; margin: 0 auto; padding: 2rem 1.25rem; }
  h1 { font-size: 1.35rem; margin: 0 0 1rem; }
  .card { background: var(--card); border: 1px solid var(--border); border-radius: 8px; padding: 1rem; margin: 1rem 0; }
  .card h2 { font-size: 1.1rem; margin: 0 0 .25rem; overflow-wrap: anywhere; }
  .muted { color: var(--muted); font-size: .9rem; }
  button, .button { display: inline-block; background: var(--accent); color: var(--accent-fg); border: 0;
           border-radius: 6px; padding: .6rem 1.1rem; font: inherit; font-weight: 600; cursor: pointer; text-decoration: none; }
  button.secondary { background: transparent; color: var(--accent); border: 1px solid var(--accent); }
  form { margin: 1rem 0; }
  label { display: block; margin: .75rem 0 .25rem; }
  input[type=email], input[type=text], input[type=time] { font: inherit; padding: .4rem; width: 100%; box-sizing: border-box;
           background: var(--bg); color: var(--fg); border: 1px solid var(--border); border-radius: 4px; }
  .error { color: #c62828; } @media (prefers-color-scheme: dark) { .error { color: #ff8a80; } }
  a { color: var(--accent); }
`;

/** Headers every page goes out with: the link's token is in the URL, so nothing may leak it. */
export const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-robots-tag": "noindex, nofollow",
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

export function pageResponse(page: Page): Response {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(page.title)} · Nudge</title>
<style>${STYLE}</style>
</head>
<body>
<main data-outcome="${escapeHtml(page.outcome)}">
${page.body}
</main>
</body>
</html>
`;
  return new Response(html, { status: page.status, headers: PAGE_HEADERS });
}

/** A button that POSTs to `action` (the page's own link when omitted). */
export function postButton(
  label: string,
  action = "",
  hidden: Record<string, string> = {},
  secondary = false,
) {
  const fields = Object.entries(hidden)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("");
  const target = action ? ` action="${escapeHtml(action)}"` : "";
  return `<form method="post"${target}>${fields}<button type="submit"${secondary ? ' class="secondary"' : ""}>${escapeHtml(label)}</button></form>`;
}

export function message(status: number, outcome: string, heading: string, text: string, extra = ""): Page {
  return {
    status,
    outcome,
    title: heading,
    body: `<h1>${escapeHtml(heading)}</h1>\n<p>${escapeHtml(text)}</p>\n${extra}`,
  };
}

/** What an error under /email/ looks like: the same page as any other, never JSON. */
export function errorPage(status: number, title: string, detail?: string): Response {
  const text =
    status >= 500
      ? "Something went wrong on our side. Nothing was changed; please try the link again in a minute."
      : (detail ?? "This request could not be handled.");
  return pageResponse(message(status, status >= 500 ? "error" : "refused", title, text));
}
