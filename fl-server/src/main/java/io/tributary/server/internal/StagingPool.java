package io.tributary.server.internal;

import java.util.ArrayDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A bounded pool of per-upload staging buffers, each one model's bytes. An upload is staged whole,
 * validated, and only then folded, so an upload that turns out truncated or invalid leaves no trace
 * in the aggregate; bounding the number of buffers keeps server memory O(slots × model),
 * independent of the number of clients. Buffers are reused across uploads and rounds.
 *
 * <p>Thread-safe.
 */
final class StagingPool {
  private static final long ACQUIRE_TIMEOUT_MS = 30_000;
  private final Semaphore permits;
  private final ArrayDeque<byte[]> free = new ArrayDeque<>();
  private final int bufferBytes;
  private final int slots;

  StagingPool(int slots, int bufferBytes) {
    this.slots = slots;
    this.bufferBytes = bufferBytes;
    this.permits = new Semaphore(slots, true);
  }

  /** A buffer, waiting up to 30 s for one to free up; null if none did. */
  byte[] acquire() throws InterruptedException {
    if (!permits.tryAcquire(ACQUIRE_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
      return null;
    }
    synchronized (free) {
      byte[] b = free.poll();
      return b != null ? b : new byte[bufferBytes];
    }
  }

  void release(byte[] buffer) {
    synchronized (free) {
      free.push(buffer);
    }
    permits.release();
  }

  int inUse() {
    return slots - permits.availablePermits();
  }
}
