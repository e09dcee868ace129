import { describe, expect, test } from "bun:test";
import { useMailCapture } from "./test-support.ts";

const server = useMailCapture();

describe("the HTML inbox", () => {
  test("shows captured mail with user content escaped", async () => {
    await server.resend.emails.send({
      from: "Mallory <mallory@example.com>",
      to: "ada@example.com",
      subject: "<script>alert('subject')</script>",
      html: '<p onclick="x()">hi</p><script>alert("html")</script>',
      text: "</pre><script>alert('text')</script>",
    });

    const response = await fetch(`${server.capture.url}/`);
    const page = await response.text();

    expect(response.headers.get("content-type")).toStartWith("text/html");
    expect(page).not.toContain("<script");
    expect(page).toContain("&lt;script&gt;alert(&#39;subject&#39;)&lt;/script&gt;");
    expect(page).toContain("Mallory &lt;mallory@example.com&gt;");
    expect(page).toContain(
      'srcdoc="&lt;base target=&quot;_blank&quot;&gt;&lt;p onclick=&quot;x()&quot;&gt;hi&lt;/p&gt;',
    );
    expect(page).toContain('<iframe sandbox="allow-popups allow-popups-to-escape-sandbox" ');
  });

  test("shows each email's headers and its links to click, and offers one-click unsubscribe", async () => {
    const unsubscribe = "https://nudge.example/email/unsubscribe/abc";
    await server.resend.emails.send({
      from: "Nudge <reminders@nudge.example>",
      to: "ada@example.com",
      replyTo: "help@nudge.example",
      subject: "Reminder: Pay rent",
      html: '<p><a href="https://nudge.example/email/links/done?x=1&amp;y=2">Mark <b>done</b></a> <a href="javascript:alert(1)">evil</a></p>',
      text: `Snooze 1 hour: https://nudge.example/email/links/snooze\nUnsubscribe: ${unsubscribe}`,
      headers: {
        "List-Unsubscribe": `<${unsubscribe}>, <mailto:unsubscribe@nudge.example?subject=unsubscribe%20abc>`,
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      },
    });
    const page = await (await fetch(`${server.capture.url}/`)).text();
    expect(page).toContain("<dt>List-Unsubscribe-Post</dt><dd>List-Unsubscribe=One-Click</dd>");
    expect(page).toContain("<dt>Reply-To</dt><dd>help@nudge.example</dd>");
    expect(page).toContain(
      '<a href="https://nudge.example/email/links/done?x=1&amp;y=2" target="_blank" rel="noopener noreferrer">Mark done</a>',
    );
    expect(page).toContain('target="_blank" rel="noopener noreferrer">Snooze 1 hour</a>');
    expect(page).not.toContain('href="javascript:');
    expect(page).toContain(
      `<form method="post" action="${unsubscribe}" target="_blank"><input type="hidden" name="List-Unsubscribe" value="One-Click">`,
    );
  });

  test("says so when there is no mail", async () => {
    const page = await (await fetch(`${server.capture.url}/`)).text();

    expect(page).toContain("No mail yet.");
  });
});
