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
    expect(page).toContain('srcdoc="&lt;p onclick=&quot;x()&quot;&gt;hi&lt;/p&gt;');
    expect(page).toContain("<iframe sandbox ");
  });

  test("says so when there is no mail", async () => {
    const page = await (await fetch(`${server.capture.url}/`)).text();

    expect(page).toContain("No mail yet.");
  });
});
