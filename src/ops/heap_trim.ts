/**
 * Gives the C allocator's free memory back to the system after a burst of calls.
 *
 * Under a burst, the runtime's native side (TLS, HTTP/2, V8's compiler) allocates and frees many
 * small blocks from glibc's heap. What is freed lies between blocks still in use, and glibc only
 * returns the top of its heap to the system by itself: measured, the heap grows from 6 to about
 * 20 MB over the bench's bursts and keeps it. glibc's `malloc_trim(0)` returns every free page in
 * the middle of the heap too (measured: 20 → 8 MB; RSS a minute after the bench's bursts 86–90 → 74 MB).
 *
 * `malloc_trim` is reached through Deno's FFI, which needs `--allow-ffi`, a permission that
 * amounts to all permissions. So {@linkcode openHeapTrim} runs first in `main.ts`, before any npm
 * package or input is loaded: it opens `libc.so.6`, keeps that one function, and revokes the FFI
 * permission whether it succeeded or not. Without `--allow-ffi`, or without glibc (musl), the
 * signer works the same and only keeps more memory.
 *
 * @module
 */

let trimHeap: (() => void) | undefined;

/**
 * Opens glibc's `malloc_trim` when `--allow-ffi` was granted, then revokes FFI for the rest of
 * the process. Call it once, first, before any npm package is imported.
 *
 * @returns whether heap trimming is available
 */
export async function openHeapTrim(): Promise<boolean> {
  if ((await Deno.permissions.query({ name: "ffi" })).state !== "granted") return false;
  try {
    const libc = Deno.dlopen("libc.so.6", {
      malloc_trim: { parameters: ["usize"], result: "i32" },
    });
    trimHeap = () => void libc.symbols.malloc_trim(0n);
  } catch {
    // Not glibc (musl has no malloc_trim, or another name): keep working without trimming.
  } finally {
    await Deno.permissions.revoke({ name: "ffi" });
  }
  return trimHeap !== undefined;
}

/** Options for {@linkcode scheduleHeapTrim}. */
export interface HeapTrimOptions {
  /** How often to look for activity, ms. @default 5000 */
  intervalMs?: number;
  /** What trims (tests pass a counter). @default glibc's malloc_trim(0), when opened */
  trim?: () => void;
}

/**
 * Trims the heap every `intervalMs` during which there was activity (so never while idle, when
 * there is nothing to give back). A trim takes well under a millisecond on a heap of tens of MB.
 *
 * @param activity a count that grows with the work done (answered calls)
 * @param options period, and the trim function
 * @returns a function that stops it; a no-op when trimming is not available
 */
export function scheduleHeapTrim(
  activity: () => number,
  options: HeapTrimOptions = {},
): () => void {
  const trim = options.trim ?? trimHeap;
  if (!trim) return () => {};
  let seen = activity();
  const timer = setInterval(() => {
    const now = activity();
    if (now === seen) return;
    seen = now;
    trim();
  }, options.intervalMs ?? 5000);
  Deno.unrefTimer(timer);
  return () => clearInterval(timer);
}
