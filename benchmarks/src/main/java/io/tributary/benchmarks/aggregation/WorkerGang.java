package io.tributary.benchmarks.aggregation;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Runs one task on {@code n} threads at once: the calling (JMH) thread plus {@code n - 1} platform
 * threads started once per trial, so that a timed invocation pays only the hand-off (microseconds),
 * never thread creation.
 *
 * <p>Not thread-safe: one caller at a time.
 */
final class WorkerGang implements AutoCloseable {
  private final int threads;
  private final ExecutorService helpers;

  WorkerGang(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.threads = threads;
    this.helpers =
        threads == 1
            ? null
            : Executors.newFixedThreadPool(
                threads - 1,
                r -> {
                  Thread t = new Thread(r, "bench-worker");
                  t.setDaemon(true);
                  return t;
                });
  }

  int threads() {
    return threads;
  }

  /** Runs {@code task.accept(i)} for i = 0..n-1, each on its own thread, and waits for all. */
  void run(IntConsumer task) {
    if (helpers == null) {
      task.accept(0);
      return;
    }
    List<Future<?>> futures = new ArrayList<>(threads - 1);
    for (int i = 1; i < threads; i++) {
      int index = i;
      futures.add(helpers.submit(() -> task.accept(index)));
    }
    task.accept(0);
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } catch (ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      }
    }
  }

  @Override
  public void close() {
    if (helpers != null) {
      helpers.shutdownNow();
      try {
        helpers.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
