import { assert, assertEquals, assertThrows } from "../../support/assert.ts";
import { DeadlineQueue } from "../../../src/grpc/deadline_queue.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("DeadlineQueue.add() runs each deadline no sooner than its duration, oldest first", async () => {
  const queue = new DeadlineQueue(40);
  const ran: [string, number][] = [];
  const started = Date.now();
  const all = new Promise<void>((resolve) => {
    queue.add(() => ran.push(["a", Date.now() - started]));
    setTimeout(() => {
      queue.add(() => ran.push(["b", Date.now() - started]));
      queue.add(() => {
        ran.push(["c", Date.now() - started]);
        resolve();
      });
    }, 15);
  });
  await all;
  assertEquals(ran.map(([name]) => name), ["a", "b", "c"]);
  assert(ran[0]![1] >= 39, `a ran after ${ran[0]![1]} ms`);
  assert(ran[1]![1] >= 39 + 15, `b ran after ${ran[1]![1]} ms`);
  assertEquals(queue.pending, 0);
});

Deno.test("DeadlineQueue: a cancelled deadline never runs, and none pending leaves no timer", async () => {
  const queue = new DeadlineQueue(20);
  let ran = 0;
  const first = queue.add(() => ran++);
  const second = queue.add(() => ran++);
  first.cancel();
  first.cancel();
  assertEquals(queue.pending, 1);
  second.cancel();
  assertEquals(queue.pending, 0);
  // The test's timer sanitizer fails if the queue's timer were still pending here.
  await sleep(60);
  assertEquals(ran, 0);
});

Deno.test("DeadlineQueue: a deadline added by an expiring one, or cancelled by it, is honoured", async () => {
  const queue = new DeadlineQueue(20);
  const ran: string[] = [];
  await new Promise<void>((resolve) => {
    let later = { cancel() {} };
    queue.add(() => {
      ran.push("first");
      later.cancel();
      queue.add(() => {
        ran.push("added");
        resolve();
      });
    });
    later = queue.add(() => ran.push("cancelled"));
  });
  assertEquals(ran, ["first", "added"]);
});

Deno.test("DeadlineQueue: cancelled deadlines do not pile up behind a live one", () => {
  const queue = new DeadlineQueue(60_000);
  const live = queue.add(() => {});
  for (let i = 0; i < 50_000; i++) queue.add(() => {}).cancel();
  assert(queue.held <= 1024 + 2, `${queue.held} entries held`);
  live.cancel();
  assertEquals(queue.held, 0);
});

Deno.test("DeadlineQueue: duration 0 never expires, and a negative one is refused", async () => {
  let ran = false;
  new DeadlineQueue(0).add(() => (ran = true));
  await sleep(20);
  assertEquals(ran, false);
  assertThrows(() => new DeadlineQueue(-1), RangeError, "duration must be 0 or more");
});

Deno.test("DeadlineQueue: after the event loop was blocked past every deadline, all run at once, oldest first, and none is left", async () => {
  const queue = new DeadlineQueue(30);
  const ran: number[] = [];
  const block = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until) { /* a blocked event loop */ }
  };
  const cancelled = new Set([3, 7]);
  const handles = [];
  for (let i = 0; i < 10; i++) {
    handles.push(queue.add(() => ran.push(i)));
    block(5); // different start times
  }
  for (const i of cancelled) handles[i]!.cancel();
  block(200);
  const last = new Promise<void>((resolve) => queue.add(resolve));
  await last;
  assertEquals(ran, [0, 1, 2, 4, 5, 6, 8, 9]);
  assertEquals(queue.pending, 0);
  assertEquals(queue.held, 0);
});

Deno.test("DeadlineQueue: a duration past setTimeout's limit (2^31 - 1 ms, about 24.8 days) does not wake the timer every millisecond", async () => {
  const runtimeSetTimeout = globalThis.setTimeout;
  let timersSet = 0;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    timersSet++;
    return runtimeSetTimeout(...args);
  }) as typeof setTimeout;
  const queue = new DeadlineQueue(30 * 24 * 3_600_000);
  let ran = false;
  const deadline = queue.add(() => (ran = true));
  try {
    await new Promise((resolve) => runtimeSetTimeout(resolve, 300));
  } finally {
    globalThis.setTimeout = runtimeSetTimeout;
    deadline.cancel();
  }
  assertEquals(ran, false);
  // A delay over the limit is taken as 1 ms by the runtime: the queue would find its deadline not
  // due and set another 1 ms timer, hundreds of times here, for as long as a connection is open.
  assert(timersSet <= 2, `${timersSet} timers set in 300 ms`);
});
