import { describe, expect, test } from "bun:test";
import { kubectl, newUser, overlay, podsOf, rolledOut } from "./cluster.ts";
import { emailedOnce, taskWithReminderIn } from "./judges.ts";

/** Replaces every pod of notification-service at once: the new ones open fresh connections. */
async function replaceNotificationPods() {
  const names = (await podsOf("notification-service")).map((p) => p.metadata.name);
  await kubectl(["-n", "nudge", "delete", "pod", ...names, "--wait=false"]);
}

describe("NetworkPolicies are enforced", () => {
  test("a PostgreSQL policy that leaves out the workers stops reminders; ours lets them through, once", async () => {
    const frank = await newUser("policy");
    try {
      // The mistake: only `api` pods may reach PostgreSQL — notification-service is a worker.
      await kubectl([
        "-n",
        "nudge",
        "patch",
        "networkpolicy",
        "postgres",
        "--type=json",
        "-p",
        '[{"op":"test","path":"/spec/ingress/0/from/0/podSelector/matchExpressions/0/values","value":["api","worker"]},' +
          '{"op":"replace","path":"/spec/ingress/0/from/0/podSelector/matchExpressions/0/values","value":["api"]}]',
      ]);
      // Established connections outlive a new rule (conntrack); fresh pods must connect anew.
      await replaceNotificationPods();
      await taskWithReminderIn(frank, "Renew the passport", 8);

      // The same judge the delivery tests use fails: no email while the policy is wrong. (With
      // policies not enforced, the replacement pods deliver it within about 20 s.)
      const judged = await emailedOnce(frank.email, { withinMs: 45_000, quietMs: 0 }).then(
        () => "delivered",
        (error: Error) => error.message,
      );
      expect(judged).toContain(`timed out after 45000 ms waiting for an email to ${frank.email}`);
      const ready = await kubectl([
        "-n",
        "nudge",
        "get",
        "deployment",
        "notification-service",
        "-o",
        "jsonpath={.status.readyReplicas}",
      ]);
      expect(ready.stdout).toBe("");
    } finally {
      // Ours again, from the overlay; pods in crash-loop back-off are replaced to start now.
      await kubectl(["apply", "-k", overlay]);
      await replaceNotificationPods();
    }
    await rolledOut(["notification-service"]);
    // Nothing was lost meanwhile: the reminder's event waited in Kafka and is delivered once.
    const { all } = await emailedOnce(frank.email, { withinMs: 180_000, quietMs: 20_000 });
    expect(all).toHaveLength(1);
  }, 480_000);
});
