package io.tributary.benchmarks.secagg;

import io.tributary.crypto.secagg.Quantizer;
import io.tributary.crypto.secagg.RoundSetup;
import io.tributary.crypto.secagg.SecAggClient;
import io.tributary.crypto.secagg.SecAggCrypto;
import io.tributary.crypto.secagg.SecAggException;
import io.tributary.crypto.secagg.SecAggMessages.EncryptedShare;
import io.tributary.crypto.secagg.SecAggMessages.EncryptedShares;
import io.tributary.crypto.secagg.SecAggMessages.KeyAdvertisement;
import io.tributary.crypto.secagg.SecAggMessages.MaskedInput;
import io.tributary.crypto.secagg.SecAggMessages.SurvivorSet;
import io.tributary.crypto.secagg.SecAggMessages.UnmaskRequest;
import io.tributary.crypto.secagg.SecAggMessages.UnmaskResponse;
import io.tributary.crypto.secagg.SecAggMessages.ConsistencySignature;
import io.tributary.crypto.secagg.SecAggParameters;
import io.tributary.crypto.secagg.SecAggServer;
import io.tributary.crypto.secagg.SeededSecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * SecAgg+ cost: full rounds of the real protocol (real X25519, AES-GCM, Ed25519, Shamir, AES-CTR
 * masks) per configuration, clients computed on a pool, the server on one thread (as the commonly
 * cited single-threaded figures for Bonawitz et al.) and again on all threads. Clients drop out after
 * ShareKeys (they never send their masked input), the expensive case for the server. Prints client
 * time (mean compute per client over its five stages), server time (all server calls of the round, on
 * {@code --server-threads} threads: 1 by default, like the reference),
 * bytes up and down per client (message payloads: keys, signatures, ciphertexts, masked vector, shares,
 * ids), and checks that the unmasked sum equals the survivors' plain sum.
 *
 * <p>Usage: {@code --clients 100,500,1000 --dimension 100000 --dropout 0,0.1,0.3 --graph harary,complete
 * --threads 2}. Parameters k and t are derived for 5% corrupt clients and 30% dropouts (the worst rate
 * measured), so every dropout rate runs with the same k and t.
 */
public final class SecAggBenchmark {
  private SecAggBenchmark() {}

  public static void main(String[] args) throws Exception {
    List<Integer> clients = List.of(100, 500, 1000);
    int dimension = 100_000;
    List<Double> dropouts = List.of(0.0, 0.1, 0.3);
    List<String> graphs = List.of("harary", "complete");
    int threads = Runtime.getRuntime().availableProcessors();
    int serverThreads = 1;
    int repeat = 3;
    int warmup = 1;
    int receiveThreads = 1;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--clients" -> clients = Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
        case "--dimension" -> dimension = Integer.parseInt(args[++i]);
        case "--dropout" -> dropouts = Arrays.stream(args[++i].split(",")).map(Double::valueOf).toList();
        case "--graph" -> graphs = List.of(args[++i].split(","));
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--server-threads" -> serverThreads = Integer.parseInt(args[++i]);
        case "--repeat" -> repeat = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--receive-threads" -> receiveThreads = Integer.parseInt(args[++i]);
        case "--help", "-h" -> {
          System.out.println("SecAggBenchmark [--clients 100,500,1000] [--dimension 100000] [--dropout 0,0.1,0.3]"
              + " [--graph harary,complete] [--threads N] [--server-threads N] [--repeat R] [--warmup W]"
              + " [--receive-threads N]");
          System.out.println("  each row: W rounds to warm the JIT (not counted), then the median of R rounds");
          return;
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (repeat < 1) {
      throw new IllegalArgumentException("--repeat must be >= 1, got " + repeat);
    }
    if (warmup < 0) {
      throw new IllegalArgumentException("--warmup must be >= 0, got " + warmup);
    }
    if (receiveThreads < 1) {
      throw new IllegalArgumentException("--receive-threads must be >= 1, got " + receiveThreads);
    }
    System.out.printf(Locale.ROOT, "SecAgg+ round, D = %,d, clients on %d threads, server unmasking on %d, server"
        + " receiving on %d; dropouts after ShareKeys; each row the median of %d rounds after %d warm-up"
        + " round(s)%n", dimension, threads, serverThreads, receiveThreads, repeat, warmup);
    System.out.printf(Locale.ROOT, "%-9s %6s %5s %4s %8s %10s %12s %14s %14s %8s%n", "graph", "n", "k", "t",
        "dropout", "client s", "server s", "up/client", "down/client", "up/f32");
    for (String graph : graphs) {
      for (int n : clients) {
        Quantizer q = new Quantizer(1.0, 1 << 10, 1 << 10);
        SecAggParameters p;
        if (graph.equals("complete")) {
          p = SecAggParameters.of(n, n - 1, n / 2 + 1, q);
        } else {
          try {
            p = SecAggParameters.derive(n, 0.05, 0.3, q);
          } catch (IllegalArgumentException e) {
            // Too few clients for the bounds at a 30% dropout rate: SecAgg+ degenerates to the complete graph.
            System.out.println("harary n=" + n + ": " + e.getMessage() + " -> complete graph");
            p = SecAggParameters.of(n, n - 1, n / 2 + 1, q);
          }
        }
        for (double dropout : dropouts) {
          for (int r = 0; r < warmup; r++) {
            run(p, dimension, dropout, threads, serverThreads, receiveThreads);
          }
          List<Row> rows = new ArrayList<>();
          for (int r = 0; r < repeat; r++) {
            rows.add(run(p, dimension, dropout, threads, serverThreads, receiveThreads));
          }
          rows.sort(Comparator.comparingDouble(Row::serverSeconds));
          Row row = rows.get(rows.size() / 2);
          System.out.printf(Locale.ROOT, "%-9s %6d %5d %4d %7.0f%% %10.3f %12.2f %14s %14s %8.3f%n", graph, n,
              p.degree(), p.threshold(), 100 * dropout, row.clientSeconds(), row.serverSeconds(),
              bytes(row.upBytes()), bytes(row.downBytes()), row.upBytes() / (4.0 * dimension));
        }
      }
    }
  }

  /** One round's figures: mean client compute, server time, the largest upload and download of a client. */
  private record Row(double clientSeconds, double serverSeconds, long upBytes, long downBytes) {}

  private static Row run(SecAggParameters p, int dimension, double dropout, int threads, int serverThreads,
      int receiveThreads) throws Exception {
    int n = p.clients();
    List<String> ids = new ArrayList<>();
    Map<String, byte[]> identityPublic = new HashMap<>();
    Map<String, byte[]> identityPrivate = new HashMap<>();
    for (int i = 0; i < n; i++) {
      String id = String.format(Locale.ROOT, "c%05d", i);
      ids.add(id);
      SecAggCrypto.KeyPair k = SecAggCrypto.ed25519(new SeededSecureRandom(1, "identity " + id));
      identityPublic.put(id, k.publicKey());
      identityPrivate.put(id, k.privateKey());
    }
    RoundSetup setup = new RoundSetup(1, ids, p, 42, dimension + 1, identityPublic);
    Map<String, SecAggClient> clients = new HashMap<>();
    for (String id : ids) {
      clients.put(id, new SecAggClient(setup, id, identityPrivate.get(id), new SeededSecureRandom(2, id)));
    }
    Set<String> dropped = new HashSet<>();
    SplittableRandom coin = new SplittableRandom(7);
    List<String> shuffled = new ArrayList<>(ids);
    java.util.Collections.shuffle(shuffled, new java.util.Random(coin.nextLong()));
    dropped.addAll(shuffled.subList(0, (int) Math.round(dropout * n)));
    Map<String, int[]> inputs = new HashMap<>();
    for (String id : ids) {
      int[] x = new int[dimension + 1];
      SplittableRandom r = new SplittableRandom(id.hashCode());
      for (int i = 0; i < x.length; i++) {
        x[i] = r.nextInt(1 << 20);
      }
      inputs.put(id, x);
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    // A gRPC server takes each stage's messages on many handler threads; with --receive-threads above 1
    // the benchmark does too (the signature checks then run in parallel, outside the server's lock).
    ExecutorService receivers = receiveThreads > 1 ? Executors.newFixedThreadPool(receiveThreads) : null;
    AtomicLong clientNanos = new AtomicLong();
    Map<String, long[]> up = new HashMap<>();
    Map<String, long[]> down = new HashMap<>();
    for (String id : ids) {
      up.put(id, new long[1]);
      down.put(id, new long[1]);
    }
    SecAggServer server = new SecAggServer(setup, serverThreads);
    long serverNanos = 0;
    long[] stageNanos = new long[5];
    try {
      List<KeyAdvertisement> ads = parallel(pool, ids, id -> timed(clientNanos, () -> clients.get(id).advertiseKeys()));
      long t0 = System.nanoTime();
      receive(receivers, ads, server::receiveAdvertisement);
      for (KeyAdvertisement a : ads) {
        up.get(a.client())[0] += 64 + 64 + a.client().length() + 8;
      }
      Map<String, List<KeyAdvertisement>> keys = server.closeAdvertisements();
      stageNanos[0] += System.nanoTime() - t0;
      serverNanos += System.nanoTime() - t0;
      keys.forEach((id, list) -> down.get(id)[0] += list.size() * (64L + 64 + 6 + 8));
      List<EncryptedShares> shares = parallel(pool, ids,
          id -> timed(clientNanos, () -> clients.get(id).shareKeys(keys.get(id))));
      t0 = System.nanoTime();
      receive(receivers, shares, server::receiveShares);
      for (EncryptedShares s : shares) {
        for (EncryptedShare e : s.shares()) {
          up.get(s.sender())[0] += e.ciphertext().length + e.receiver().length();
        }
      }
      Map<String, List<EncryptedShare>> inbox = server.closeShares();
      stageNanos[1] += System.nanoTime() - t0;
      serverNanos += System.nanoTime() - t0;
      inbox.forEach((id, list) -> list.forEach(e -> down.get(id)[0] += e.ciphertext().length + e.sender().length()));
      List<String> maskers = ids.stream().filter(id -> !dropped.contains(id)).toList();
      List<MaskedInput> masked = parallel(pool, maskers,
          id -> timed(clientNanos, () -> clients.get(id).maskedInput(inbox.get(id), inputs.get(id))));
      t0 = System.nanoTime();
      for (MaskedInput m : masked) {
        server.receiveMaskedInput(m);
        up.get(m.sender())[0] += 4L * m.values().length;
      }
      SurvivorSet survivors = server.closeMaskedInputs();
      stageNanos[2] += System.nanoTime() - t0;
      serverNanos += System.nanoTime() - t0;
      List<ConsistencySignature> sigs = parallel(pool, survivors.survivors(),
          id -> timed(clientNanos, () -> clients.get(id).consistencyCheck(survivors)));
      t0 = System.nanoTime();
      receive(receivers, sigs, server::receiveConsistencySignature);
      for (ConsistencySignature s : sigs) {
        up.get(s.sender())[0] += 64;
      }
      Map<String, UnmaskRequest> requests = server.closeConsistency();
      stageNanos[3] += System.nanoTime() - t0;
      serverNanos += System.nanoTime() - t0;
      requests.forEach((id, r) -> down.get(id)[0] += 6L * (r.survivors().size() + r.dropped().size())
          + 70L * r.signatures().size());
      List<UnmaskResponse> responses = parallel(pool, new ArrayList<>(requests.keySet()),
          id -> timed(clientNanos, () -> clients.get(id).unmask(requests.get(id))));
      t0 = System.nanoTime();
      receive(receivers, responses, server::receiveUnmaskResponse);
      for (UnmaskResponse r : responses) {
        up.get(r.sender())[0] += (long) (r.selfMaskShares().size() + r.maskKeyShares().size()) * (io.tributary.crypto.secagg.Share.ENCODED_BYTES + 6L);
      }
      long t1 = System.nanoTime();
      int[] sum = server.finish();
      long finishNanos = System.nanoTime() - t1;
      stageNanos[4] += System.nanoTime() - t0;
      serverNanos += System.nanoTime() - t0;
      if (System.getenv("SECAGG_BENCH_DETAIL") != null) {
        // finish()'s share of PRG work, re-timed on this thread: one expansion per survivor (its
        // self-mask), with fresh seeds into a scratch vector — the rest of finish() is reconstruction
        // (and, with dropouts, the dropped clients' pairwise masks).
        int[] scratch = new int[dimension + 1];
        byte[] seed = new byte[io.tributary.crypto.secagg.MaskExpander.SEED_BYTES];
        SplittableRandom seeds = new SplittableRandom(3);
        long e0 = System.nanoTime();
        for (int i = 0; i < maskers.size(); i++) {
          for (int b = 0; b < seed.length; b++) {
            seed[b] = (byte) seeds.nextInt();
          }
          io.tributary.crypto.secagg.MaskExpander.subtract(seed, scratch);
        }
        long expandNanos = System.nanoTime() - e0;
        System.out.printf(Locale.ROOT, "  (stages %.3f / %.3f / %.3f / %.3f s, unmask stage %.3f s of which finish()"
            + " %.3f s; %d self-mask expansions re-timed alone: %.3f s)%n", stageNanos[0] / 1e9,
            stageNanos[1] / 1e9, stageNanos[2] / 1e9, stageNanos[3] / 1e9, (t1 - t0 + finishNanos) / 1e9,
            finishNanos / 1e9, maskers.size(), expandNanos / 1e9);
      }
      int[] expected = new int[dimension + 1];
      for (String id : maskers) {
        int[] x = inputs.get(id);
        for (int i = 0; i < expected.length; i++) {
          expected[i] += x[i];
        }
      }
      if (!Arrays.equals(expected, sum)) {
        throw new AssertionError("unmasked sum differs from the survivors' plain sum");
      }
    } finally {
      pool.shutdownNow();
      if (receivers != null) {
        receivers.shutdownNow();
      }
    }
    double perClient = clientNanos.get() / 1e9 / n;
    long upMax = up.values().stream().mapToLong(a -> a[0]).max().orElse(0);
    long downMax = down.values().stream().mapToLong(a -> a[0]).max().orElse(0);
    return new Row(perClient, serverNanos / 1e9, upMax, downMax);
  }

  private static String bytes(long b) {
    return String.format(Locale.ROOT, "%,d B", b);
  }

  @FunctionalInterface
  private interface Task<T> {
    T call(String id) throws Exception;
  }

  @FunctionalInterface
  private interface Body<T> {
    T call() throws SecAggException;
  }

  private static <T> T timed(AtomicLong total, Body<T> body) throws SecAggException {
    long t0 = System.nanoTime();
    T out = body.call();
    total.addAndGet(System.nanoTime() - t0);
    return out;
  }

  @FunctionalInterface
  private interface Receiver<M> {
    void receive(M message) throws SecAggException;
  }

  /** Hands the messages to the server: in order on this thread, or spread over {@code receivers}. */
  private static <M> void receive(ExecutorService receivers, List<M> messages, Receiver<M> server) throws Exception {
    if (receivers == null) {
      for (M m : messages) {
        server.receive(m);
      }
      return;
    }
    List<Future<?>> done = new ArrayList<>();
    for (M m : messages) {
      done.add(receivers.submit(() -> {
        server.receive(m);
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
  }

  private static <T> List<T> parallel(ExecutorService pool, List<String> ids, Task<T> task) throws Exception {
    List<Future<T>> futures = new ArrayList<>();
    for (String id : ids) {
      futures.add(pool.submit(() -> task.call(id)));
    }
    List<T> out = new ArrayList<>();
    for (Future<T> f : futures) {
      out.add(f.get());
    }
    return out;
  }
}
