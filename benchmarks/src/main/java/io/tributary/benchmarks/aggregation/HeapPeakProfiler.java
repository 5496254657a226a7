package io.tributary.benchmarks.aggregation;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler (it runs inside the forked benchmark VM, from before the trial's setup) that
 * reports the heap the benchmark needed, in MiB, the maximum over the fork's life:
 *
 * <ul>
 *   <li>{@value #PEAK}: the most heap ever in use, garbage included — the heap's occupancy just
 *       before each garbage collection (when it is highest) and at the end of each iteration;
 *   <li>{@value #LIVE}: the heap in use just after the full {@code System.gc()} that ends every
 *       measurement iteration, i.e. the data the benchmark keeps alive (young and concurrent
 *       collections are not counted here: they may leave unreachable humongous arrays behind).
 * </ul>
 *
 * Use from the command line with {@code -prof io.tributary.benchmarks.aggregation.HeapPeakProfiler}.
 */
public final class HeapPeakProfiler implements InternalProfiler {
  public static final String PEAK = "heap.peak";
  public static final String LIVE = "heap.live";
  private static final double MIB = 1024.0 * 1024.0;

  private final AtomicLong peak = new AtomicLong();
  private final AtomicLong live = new AtomicLong();

  public HeapPeakProfiler() {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(
            (notification, handback) -> {
              if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                  notification.getType())) {
                GarbageCollectionNotificationInfo info =
                    GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
                peak.accumulateAndGet(sum(info.getGcInfo().getMemoryUsageBeforeGc()), Math::max);
              }
            },
            null,
            null);
      }
    }
  }

  private static long sum(Map<String, MemoryUsage> pools) {
    long used = 0;
    for (Map.Entry<String, MemoryUsage> e : pools.entrySet()) {
      if (isHeapPool(e.getKey())) {
        used += e.getValue().getUsed();
      }
    }
    return used;
  }

  private static boolean isHeapPool(String name) {
    return ManagementFactory.getMemoryPoolMXBeans().stream()
        .anyMatch(p -> p.getName().equals(name) && p.getType() == java.lang.management.MemoryType.HEAP);
  }

  @Override
  public String getDescription() {
    return "most heap in use (before GCs and at iteration ends) and live heap after a full GC, in MiB";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {}

  @Override
  public List<ScalarResult> afterIteration(
      BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
    peak.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
    System.gc();
    long afterGc = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    live.accumulateAndGet(afterGc, Math::max);
    return List.of(
        new ScalarResult(PEAK, peak.get() / MIB, "MiB", AggregationPolicy.MAX),
        new ScalarResult(LIVE, live.get() / MIB, "MiB", AggregationPolicy.MAX));
  }
}
