/** Reading the HTML pages email links lead to, as a browser without script would. */
export interface FetchedPage {
  status: number;
  headers: Headers;
  html: string;
  /** The visible text, tags stripped and entities decoded. */
  text: string;
  /** `data-outcome` of <main>: what the page says happened. */
  outcome: string | undefined;
}

const ENTITIES: Record<string, string> = {
  "&amp;": "&",
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&#39;": "'",
};
const decode = (text: string) => text.replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e] ?? e);

async function read(response: Response): Promise<FetchedPage> {
  const html = await response.text();
  const body = html.replace(/<style>[\s\S]*?<\/style>/g, "").replace(/<datalist[\s\S]*?<\/datalist>/g, "");
  return {
    status: response.status,
    headers: response.headers,
    html,
    text: decode(body.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ")).trim(),
    outcome: /<main data-outcome="([^"]*)"/.exec(html)?.[1],
  };
}

export const page = async (url: string) => read(await fetch(url, { redirect: "manual" }));

/** A form post as a browser sends it (an empty form unless fields are given). */
export const post = async (url: string, fields: Record<string, string> = {}) =>
  read(
    await fetch(url, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    }),
  );

/**
 * What a link from an email says it grants, read (not verified) from its token: tests use it to
 * see which task an email's link is about.
 */
export function linkClaims(url: string): { a: string; u: string; t?: string } {
  const token = new URL(url).pathname.split("/")[3] ?? "";
  return JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8"));
}

/** The action of the form whose button reads `label` ("" when it posts to the page itself). */
export function form(html: string, label: string): string {
  for (const match of html.matchAll(/<form method="post"(?: action="([^"]*)")?>([\s\S]*?)<\/form>/g)) {
    if (match[2]?.includes(`>${label}</button>`)) return decode(match[1] ?? "");
  }
  throw new Error(`no form with a "${label}" button in the page`);
}
