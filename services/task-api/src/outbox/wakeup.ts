/**
 * How the relay waits between batches. `idle` ends early on a NOTIFY (a commit wrote rows); a
 * NOTIFY that arrives while a batch is in flight is remembered, so it is never lost.
 * `pause` ignores NOTIFY — new writes must not hammer a broker that is down — but not stop.
 */
export class Wakeup {
  #pending = false;
  #interrupt: (() => void) | undefined;

  /** `active` is false once the relay stops or loses its leadership: waits then end at once. */
  constructor(private readonly active: () => boolean) {}

  wake(): void {
    this.#pending = true;
    this.#interrupt?.();
  }

  idle(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.#pending || !this.active()) {
        this.#pending = false;
        return resolve();
      }
      const done = () => {
        clearTimeout(timer);
        this.#interrupt = undefined;
        this.#pending = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#interrupt = done;
    });
  }

  async pause(ms: number): Promise<void> {
    for (let waited = 0; waited < ms && this.active(); waited += 100)
      await Bun.sleep(Math.min(100, ms - waited));
  }
}
