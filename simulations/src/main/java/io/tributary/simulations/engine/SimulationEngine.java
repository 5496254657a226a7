package io.tributary.simulations.engine;

import io.tributary.client.ClientMod;
import io.tributary.client.SharedDataTrainer;
import io.tributary.client.train.ConvTrainer;
import io.tributary.client.train.DenseTrainer;
import io.tributary.core.aggregate.AggregatedUpdate;
import io.tributary.core.aggregate.InvalidUpdateException;
import io.tributary.core.aggregate.UpdateAccumulator;
import io.tributary.core.config.ConfigValues;
import io.tributary.core.config.TrainingKeys;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.model.TensorCodec;
import io.tributary.core.nn.ConvNetwork;
import io.tributary.core.nn.DenseNetwork;
import io.tributary.core.nn.ModelArchitecture;
import io.tributary.core.protocol.ClientFailure;
import io.tributary.core.protocol.ClientUpdate;
import io.tributary.core.protocol.EvaluateResult;
import io.tributary.core.protocol.FitInstructions;
import io.tributary.core.protocol.FitResult;
import io.tributary.core.protocol.RoundResults;
import io.tributary.core.aggregate.robust.NormBound;
import io.tributary.core.aggregate.robust.RobustAggregator;
import io.tributary.core.strategy.Scaffold;
import io.tributary.core.strategy.Seeds;
import io.tributary.core.strategy.Strategy;
import io.tributary.data.partition.Partition;
import io.tributary.data.partition.Partitioners;
import io.tributary.server.UpdatePipeline;
import io.tributary.server.UpdateStage;
import io.tributary.simulations.report.RoundRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Simulates federated rounds in one process: virtual clients are descriptors (an id and rows into
 * the shared dataset arrays), a bounded pool of workers — one trainer each — trains the sampled
 * clients of a round in parallel, and every update goes through the same {@link ClientMod}s, the
 * same {@link UpdatePipeline} and the same exact {@link UpdateAccumulator} as over the wire, then the
 * same {@link Strategy} makes the next model. Simulation is just another transport.
 *
 * <p>Memory is O(dataset + workers × model), independent of the number of virtual clients — plus
 * O(clients per round × model) when the strategy has a robust aggregator (median, Krum: they need
 * every update of the round at once), and O(participants × model) for SCAFFOLD's client control
 * variates (kept on the heap up to {@link #CONTROL_VARIATE_HEAP_BYTES}, then in a scratch file; keep
 * SCAFFOLD out of runs with hundreds of thousands of participants).
 *
 * <p>Systems heterogeneity and attacks come from the config and the seed: stragglers run fewer local
 * epochs and are dropped or kept ({@code drop-stragglers}), cohorts are drawn uniformly or in
 * proportion to local data, and {@code malicious-clients} send sign-flipped, scaled updates, counted
 * per round in {@link Result#adversaries()}.
 * Reproducible: every random draw comes from generators derived from the run seed (cohort sampling
 * per round, each client's data order per round), and aggregation is exact and order-independent,
 * so the same seed gives a bit-identical model and identical metrics whatever the thread count.
 *
 * <p>Not thread-safe: one {@link #run} at a time per engine.
 */
public final class SimulationEngine {
  private final ExperimentConfig config;
  private final SimulationData data;
  private final List<ClientMod> mods;
  private final UpdatePipeline pipeline;
  /** The malicious clients' ids, ascending (a seeded sample of {@code malicious-clients}). */
  private final int[] malicious;

  public SimulationEngine(ExperimentConfig config, SimulationData data) {
    this(config, data, List.of(), List.of());
  }

  /**
   * @param mods outbound client mods applied to every update, in order
   * @param stages server-side update stages applied before every fold, in order
   */
  public SimulationEngine(ExperimentConfig config, SimulationData data, List<ClientMod> mods,
      List<UpdateStage> stages) {
    this.config = Objects.requireNonNull(config, "config");
    this.data = Objects.requireNonNull(data, "data");
    this.mods = List.copyOf(mods);
    this.pipeline = new UpdatePipeline(stages);
    if (config.secureAggregation() && !stages.isEmpty()) {
      throw new IllegalArgumentException("server update stages need every update on its own; with secure aggregation"
          + " the server sees only the sum (clients validate and clip before masking)");
    }
    this.malicious = config.maliciousClients() == 0 ? new int[0]
        : sampleClients(config.clients(), config.maliciousClients(),
            new SplittableRandom(Seeds.derive(config.seed(), -9)));
    ModelArchitecture model = config.model();
    int inputs = model instanceof DenseNetwork dense ? dense.inputs() : ConvNetwork.INPUTS;
    int classes = model instanceof DenseNetwork dense ? dense.classes() : ConvNetwork.CLASSES;
    if (inputs != data.features() || classes != data.classes()) {
      throw new IllegalArgumentException("config 'model': " + model.name() + " takes " + inputs + " inputs and "
          + classes + " classes; dataset '" + data.name() + "' has " + data.features() + " and "
          + data.classes());
    }
    if (config.partition().equals("natural")) {
      if (data.users() == null) {
        throw new IllegalArgumentException("config 'partition': natural needs a dataset with its own users (leaf);"
            + " dataset '" + data.name() + "' has none");
      }
      if (data.users().numClients() != config.clients()) {
        throw new IllegalArgumentException("config 'clients' (" + config.clients() + ") must equal the number of"
            + " users of " + data.name() + " (" + data.users().numClients() + ") with partition natural");
      }
    }
  }

  /** The partition of the training set into the config's clients. */
  public Partition partition() {
    return switch (config.partition()) {
      case "iid" -> Partitioners.iid(data.trainSize(), config.clients(), Seeds.derive(config.seed(), -1));
      case "shards" -> Partitioners.shards(data.trainLabels(), config.clients(), config.shardsPerClient(),
          Seeds.derive(config.seed(), -1));
      case "dirichlet" -> Partitioners.dirichlet(data.trainLabels(), data.classes(), config.clients(),
          config.dirichletAlpha(), config.minClientSize(), Seeds.derive(config.seed(), -1));
      case "power-law" -> Partitioners.powerLaw(data.trainSize(), config.clients(), config.powerLawExponent(),
          config.minClientSize(), Seeds.derive(config.seed(), -1));
      case "label-power-law" -> Partitioners.labelPowerLaw(data.trainLabels(), data.classes(), config.clients(),
          config.labelsPerClient(), config.powerLawExponent(), config.minClientSize(), Seeds.derive(config.seed(), -1));
      case "natural" -> data.users();
      default -> throw new IllegalArgumentException("config 'partition': unknown " + config.partition());
    };
  }

  /** The strategy the config names, seeded from the run seed. */
  public Strategy strategy() {
    return config.strategySpec().create(config.learningRate(), config.localEpochs(), config.batchSize(), config.seed(),
        config.clients());
  }

  /**
   * The strategy wrapped in DP-FedAvg ({@code dp} on): the expected weight per round comes from every
   * client's weight (N with uniform weights, Σ min(examples, W) when capped), and the central noise
   * from a generator seeded by the run seed and the round, so a run reproduces bit for bit.
   */
  private io.tributary.crypto.dp.PrivateStrategy privatize(Strategy inner, Population population) {
    io.tributary.crypto.dp.DpSpec spec = config.dp();
    double totalWeight = config.clients();
    if (spec.capped()) {
      totalWeight = 0;
      for (int c = 0; c < config.clients(); c++) {
        totalWeight += Math.max(1, Math.min(population.size(c), spec.maxWeight()));
      }
    }
    long seed = config.seed();
    io.tributary.crypto.dp.PrivateStrategy p = new io.tributary.crypto.dp.PrivateStrategy(inner, spec,
        config.clients(), config.clientsPerRound(), totalWeight, config.model().layout().totalElements(),
        round -> io.tributary.crypto.dp.RandomBits.seeded(seed, "dp central round " + round));
    LOG.log(System.Logger.Level.INFO, String.format(java.util.Locale.ROOT, "differential privacy: %s, δ = %.3g", p,
        p.delta()));
    return p;
  }

  /**
   * How long {@code client}'s update took on its simulated device: the samples it trained (local
   * examples × its local epochs) over its speed trait times the nominal device throughput. A round
   * lasts as long as its slowest reporting client.
   */
  private double simulatedSeconds(int round, int client, ClientUpdate update) {
    ClientTraits traits = ClientTraits.of(config, client);
    double samples = (double) update.numExamples() * ClientTraits.epochs(config, round, client);
    return samples / (traits.speed() * config.deviceSamplesPerSecond());
  }

  /** Why a run ended. */
  public enum Stop {
    /** All configured rounds ran. */
    ROUNDS,
    /** The best test accuracy reached the target ({@code stop-at-target}). */
    TARGET,
    /** The time budget was spent; a checkpoint was saved to go on from. */
    TIME_BUDGET,
    /** The next round would have spent more than the ε budget ({@code dp-epsilon-budget}). */
    PRIVACY_BUDGET
  }

  /**
   * What a run produced: the final model, the records of the rounds this call ran (after a resume,
   * only those), and why it ended; {@code partition} is null when clients generate their data on
   * demand.
   */
  public record Result(ModelWeights model, List<RoundRecord> rounds, Partition partition, Stop stop,
      List<Adversaries> adversaries) {
    public Result(ModelWeights model, List<RoundRecord> rounds, Partition partition, Stop stop) {
      this(model, rounds, partition, stop, List.of());
    }
  }

  /**
   * How many of a round's clients were malicious ({@code malicious-clients}): sampled, and whose
   * update reached the aggregation (a robust aggregator may still discard it).
   */
  public record Adversaries(int round, int sampled, int aggregated) {}

  /** What every client task of one round shares. */
  private record RoundPlan(int round, ModelWeights model, ConfigValues config, UpdateAccumulator accumulator,
      float[][] buffered, long[] bufferedWeights, float[] serverControl, UpdateAccumulator controlAccumulator,
      SecureAggregationRound secure) {}

  /**
   * Where a virtual client's samples come from: rows of the shared arrays (a partition) or a
   * generator that writes them into the worker's own buffers when the client trains. Thread-safe.
   */
  private interface Population {
    int size(int client);

    void load(int client, Worker worker);
  }

  private Population population(Partition partition) {
    if (!data.onDemand()) {
      return new Population() {
        @Override
        public int size(int client) {
          return partition.size(client);
        }

        @Override
        public void load(int client, Worker worker) {
          worker.trainer.useTrainingRows(partition.indices(client));
        }
      };
    }
    io.tributary.data.synthetic.Synthetic generator = SimulationData.generator(config);
    return new Population() {
      @Override
      public int size(int client) {
        return SimulationData.trainSize(generator.size(client));
      }

      @Override
      public void load(int client, Worker worker) {
        int n = generator.generate(client, worker.x, worker.y);
        worker.trainer.useTrainingData(worker.x, worker.y, Arrays.copyOf(worker.identity, SimulationData.trainSize(n)));
      }
    };
  }

  /** Runs all rounds from the seeded initial model, saving no checkpoints. */
  public Result run(RoundObserver observer) throws InterruptedException {
    try {
      return run(observer, null, Checkpoint.Sink.NONE);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e); // cannot happen: the sink saves nothing
    }
  }

  /**
   * Runs the rounds after {@code from} (all rounds when it is null), saving a checkpoint into {@code
   * sink} every {@link ExperimentConfig#checkpointEvery()} rounds and when the time budget stops the
   * run. Resuming from a checkpoint of the same config gives the same model and the same metrics as
   * a run that never stopped.
   *
   * @throws java.io.IOException if the sink cannot save a checkpoint
   */
  public Result run(RoundObserver observer, Checkpoint from, Checkpoint.Sink sink)
      throws InterruptedException, java.io.IOException {
    ModelArchitecture net = config.model();
    Partition partition = data.onDemand() ? null : partition();
    Population population = population(partition);
    int maxClient = data.onDemand() ? SimulationData.generator(config).maxSize() : 0;
    Strategy base = strategy();
    io.tributary.crypto.dp.PrivateStrategy dp = config.dp().enabled() ? privatize(base, population) : null;
    Strategy strategy = dp != null ? dp : base;
    if (from != null) {
      strategy.restoreState(from.strategyState());
      if (dp != null) {
        if (from.privacyLedger() == null) {
          throw new IllegalArgumentException("checkpoint of round " + from.round() + " has no privacy ledger, and this"
              + " run has 'dp' on: resuming would reset the ε spent");
        }
        dp.restoreLedger(from.privacyLedger());
      }
    }
    Scaffold scaffold = strategy instanceof Scaffold sc ? sc : null;
    List<Adversaries> adversaries = new ArrayList<>();
    ModelWeights global = from != null ? from.model() : net.initialize(Seeds.derive(config.seed(), -2));
    if (!global.layout().equals(net.layout())) {
      throw new IllegalArgumentException("checkpoint model has layout " + global.layout() + ", " + net.name()
          + " has " + net.layout());
    }
    long sessionStart = System.nanoTime();
    double elapsedBefore = from != null ? from.elapsedSeconds() : 0;
    double budget = config.timeBudget().map(d -> d.toMillis() / 1000.0).orElse(Double.POSITIVE_INFINITY);
    Stop stop = Stop.ROUNDS;
    DenseTrainer.Backend backend = config.backend().equals("java") ? DenseTrainer.Backend.JAVA
        : DenseTrainer.Backend.BLAS;
    int workers = Math.min(config.threads(), config.clientsPerRound());
    BlockingQueue<Worker> pool = new ArrayBlockingQueue<>(workers);
    List<Worker> all = new ArrayList<>();
    ExecutorService executor = Executors.newFixedThreadPool(workers, r -> {
      Thread t = new Thread(r, "tributary-sim-worker");
      t.setDaemon(true);
      return t;
    });
    List<RoundRecord> history = new ArrayList<>();
    // Trainers need some training rows to be built; each client points them at its own.
    float[] seedX = data.onDemand() ? data.testX() : data.trainX();
    int[] seedLabels = data.onDemand() ? data.testLabels() : data.trainLabels();
    // The test set in fixed parts evaluated in parallel and summed in part order: the same metrics
    // whatever the thread count.
    List<SharedDataTrainer> evaluators = new ArrayList<>();
    // The SecAgg weight bound scans every client once per run, not once per round.
    long secureMaxWeight = config.secureAggregation() ? maxAggregationWeight(population) : 1;
    ControlVariateStore controls = scaffold != null
        ? new ControlVariateStore(net.layout().totalElements(), CONTROL_VARIATE_HEAP_BYTES) : null;
    try {
      int testSize = data.testLabels().length;
      int parts = Math.min(EVALUATION_PARTS, testSize);
      for (int p = 0; p < parts; p++) {
        int[] rows = java.util.stream.IntStream.range(p * testSize / parts, (p + 1) * testSize / parts).toArray();
        evaluators.add(newTrainer(net, backend, seedX, seedLabels, rows, false));
      }
      for (int w = 0; w < workers; w++) {
        int[] identity = new int[maxClient];
        for (int i = 0; i < maxClient; i++) {
          identity[i] = i;
        }
        // Each update is folded before the worker's next client: one delta array per worker.
        Worker worker = new Worker(newTrainer(net, backend, seedX, seedLabels, null, true),
            new byte[Math.toIntExact(net.layout().totalBytes())],
            new float[maxClient * data.features()], new int[maxClient], identity);
        all.add(worker);
        pool.add(worker);
      }
      double best = from != null && !Double.isNaN(from.bestAccuracy()) ? from.bestAccuracy()
          : Double.NEGATIVE_INFINITY;
      for (int round = from != null ? from.round() + 1 : 1; round <= config.rounds(); round++) {
        long start = System.nanoTime();
        int[] sampled = dp != null || config.clientSampling().equals("poisson")
            ? samplePoisson(round, (double) config.clientsPerRound() / config.clients())
            : config.clientSampling().equals("by-size") ? sampleBySize(round, population)
            : sampleOnlineClients(round);
        String emptyCohort = sampled.length == 0 ? "no client was sampled (Poisson sampling at q = "
            + (double) config.clientsPerRound() / config.clients() + ")" : null;
        // Too few for secure aggregation (two would each learn the other's update): nobody trains.
        boolean tooFew = config.secureAggregation() && sampled.length > 0 && sampled.length < 3;
        if (tooFew) {
          emptyCohort = "only " + sampled.length + " clients sampled, secure aggregation needs 3";
        }
        int[] cohort = tooFew ? new int[0] : sampled;
        io.tributary.crypto.dp.DistributedDiscreteGaussian distributed = null;
        if (dp != null && config.dp().placement() == io.tributary.crypto.dp.DpSpec.Placement.DISTRIBUTED
            && cohort.length > 0) {
          distributed = calibrateDistributed(cohort.length, secureMaxWeight, dp.clip());
          dp.useDistributedMechanism(distributed);
        }
        if (dp != null && dp.budgetExhausted()) {
          LOG.log(System.Logger.Level.INFO, String.format(java.util.Locale.ROOT,
              "round %d: not run, it would spend more than the budget ε = %s (spent %.4f at δ = %.3g)", round,
              config.dp().epsilonBudget().getAsDouble(), dp.epsilon(), dp.delta()));
          stop = Stop.PRIVACY_BUDGET;
          break;
        }
        ConfigValues roundConfig = strategy.configureFit(round);
        UpdateAccumulator accumulator = new UpdateAccumulator(net.layout());
        int parameters = net.layout().totalElements();
        boolean buffers = strategy.robustAggregator().isPresent();
        SecureAggregationRound secure = null;
        String secureFailure = null;
        if (config.secureAggregation() && cohort.length > 0) {
          secure = new SecureAggregationRound(config.seed(), round, cohort, secureParameters(cohort.length, secureMaxWeight),
              parameters, 1, strategy.needsAccumulationNorm(), distributed);
          try {
            secure.prepare();
          } catch (io.tributary.crypto.secagg.SecAggException e) {
            secureFailure = e.getMessage();
          }
        }
        RoundPlan plan = new RoundPlan(round, global, roundConfig, accumulator,
            buffers ? new float[cohort.length][] : null, buffers ? new long[cohort.length] : null,
            scaffold != null ? scaffold.serverControl(parameters) : null,
            scaffold != null ? new UpdateAccumulator(net.layout()) : null, secure);
        List<Future<ClientUpdate>> futures = new ArrayList<>();
        final int r = round;
        // Largest clients first (LPT scheduling): the round's last worker is then busy with a small
        // client, not a big one, so fewer threads idle at the round's end. Aggregation is
        // order-independent, so this changes nothing but the time.
        Integer[] order = new Integer[cohort.length];
        for (int i = 0; i < order.length; i++) {
          order[i] = i;
        }
        int[] sizes = new int[cohort.length];
        for (int i = 0; i < cohort.length; i++) {
          sizes[i] = population.size(cohort[i]);
        }
        Arrays.sort(order, (a, b) -> Integer.compare(sizes[b], sizes[a]));
        Future<?>[] byPosition = new Future<?>[cohort.length];
        for (int position : order) {
          int client = cohort[position];
          int slot = position;
          byPosition[position] = executor.submit(() -> {
            if (ClientTraits.dropsOut(config, r, client)) {
              throw new DroppedOutException(DROPPED_OUT);
            }
            if (config.dropStragglers() && ClientTraits.straggles(config, r, client)) {
              // FedAvg's deadline: a straggler's partial work never arrives (and costs no compute here).
              throw new DroppedOutException(STRAGGLER_DROPPED);
            }
            return trainClient(pool, strategy, plan, slot, client, population, controls);
          });
        }
        for (Future<?> f : byPosition) {
          @SuppressWarnings("unchecked")
          Future<ClientUpdate> typed = (Future<ClientUpdate>) f;
          futures.add(typed);
        }
        List<ClientUpdate> updates = new ArrayList<>();
        List<ClientFailure> failures = new ArrayList<>();
        double simulatedSeconds = 0;
        for (int i = 0; i < futures.size(); i++) {
          try {
            ClientUpdate update = futures.get(i).get();
            updates.add(update);
            simulatedSeconds = Math.max(simulatedSeconds, simulatedSeconds(round, cohort[i], update));
          } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof DroppedOutException dropped) {
              failures.add(new ClientFailure("sim-" + cohort[i], round, dropped.getMessage()));
              continue;
            }
            if (!(cause instanceof InvalidUpdateException) && !(cause instanceof ArithmeticException)) {
              throw new IllegalStateException("round " + round + ": client " + cohort[i] + " failed: " + cause, cause);
            }
            // As over the wire: a rejected update leaves no trace and the round goes on without it.
            failures.add(new ClientFailure("sim-" + cohort[i], round, cause.getMessage()));
          }
        }
        if (malicious.length > 0) {
          adversaries.add(countAdversaries(round, cohort, updates));
        }
        AggregatedUpdate aggregate = null;
        String noQuorum = null;
        if (updates.isEmpty() && failures.stream().allMatch(f -> DROPPED_OUT.equals(f.reason())
            || STRAGGLER_DROPPED.equals(f.reason()))) {
          noQuorum = emptyCohort != null ? emptyCohort : "every client dropped out";
        } else if (secure != null) {
          if (secureFailure == null) {
            try {
              aggregate = secure.finish(net.layout(), updates.size());
            } catch (io.tributary.crypto.secagg.SecAggException | IllegalArgumentException e) {
              secureFailure = e.getMessage();
            }
          }
          if (secureFailure != null) {
            noQuorum = "secure aggregation failed closed, no sum released: " + secureFailure;
          }
        } else if (!updates.isEmpty() && buffers) {
          try {
            aggregate = combine(strategy.robustAggregator().orElseThrow(), plan, net.layout());
          } catch (IllegalArgumentException e) {
            // Too few updates for the aggregator (Krum's n >= 2f + 3 after dropouts): no quorum.
            noQuorum = e.getMessage();
          }
        }
        if (noQuorum != null) {
          LOG.log(System.Logger.Level.INFO, "round {0}: model unchanged, {1}", round, noQuorum);
          // Like a server round without quorum, the model stays as it was.
          RoundRecord empty = new RoundRecord(config.name(), round, cohort.length, 0, Double.NaN, Double.NaN,
              Double.NaN, 0, net.layout().totalBytes() * cohort.length, (System.nanoTime() - start) / 1e9, 0.0,
              epsilonOf(dp));
          history.add(empty);
          observer.onRound(empty);
          if (afterRound(round, global, strategy, best, elapsedBefore, sessionStart, budget, sink)) {
            stop = Stop.TIME_BUDGET;
            break;
          }
          continue;
        }
        if (updates.isEmpty()) {
          throw new DivergedException("round " + round + ": no valid update from any of the " + cohort.length
              + " clients (first: " + failures.get(0).reason() + ")");
        }
        if (aggregate == null) {
          aggregate = accumulator.snapshot();
        }
        RoundResults results = new RoundResults(round, updates, failures);
        if (scaffold != null) {
          scaffold.updateControl(plan.controlAccumulator().snapshot());
        }
        global = strategy.aggregateFit(round, global, aggregate, results);
        double testLoss = Double.NaN;
        double testAccuracy = Double.NaN;
        if (round % config.evalEvery() == 0 || round == config.rounds()) {
          EvaluateResult eval = evaluate(executor, evaluators, global);
          testLoss = eval.loss();
          testAccuracy = eval.accuracy();
        }
        long payload = net.layout().totalBytes();
        RoundRecord metrics = new RoundRecord(config.name(), round, cohort.length, updates.size(),
            results.weightedMetrics().getOrDefault(FitResult.TRAIN_LOSS, Double.NaN),
            testLoss, testAccuracy, payload * updates.size(), payload * cohort.length,
            (System.nanoTime() - start) / 1e9, simulatedSeconds, epsilonOf(dp));
        if (dp != null) {
          // The progress line shows ε each round; the log keeps the detail at DEBUG, the total at the end.
          LOG.log(System.Logger.Level.DEBUG, String.format(java.util.Locale.ROOT,
              "round %d: ε = %.4f spent at δ = %.3g, next clip norm %.4g", round, dp.epsilon(), dp.delta(), dp.clip()));
        }
        history.add(metrics);
        observer.onRound(metrics);
        if (!Double.isNaN(testAccuracy)) {
          best = Math.max(best, testAccuracy);
        }
        if (config.stopAtTarget() && best >= config.targetAccuracy()) {
          stop = Stop.TARGET;
          break;
        }
        if (afterRound(round, global, strategy, best, elapsedBefore, sessionStart, budget, sink)) {
          stop = Stop.TIME_BUDGET;
          break;
        }
      }
    } finally {
      executor.shutdownNow();
      // Workers may still be inside native BLAS calls on their buffers: wait before freeing them.
      if (!executor.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES)) {
        throw new IllegalStateException("simulation workers did not stop within a minute");
      }
      for (Worker w : all) {
        close(w.trainer);
      }
      for (SharedDataTrainer e : evaluators) {
        close(e);
      }
      if (controls != null) {
        controls.close();
      }
    }
    if (dp != null) {
      LOG.log(System.Logger.Level.INFO, String.format(java.util.Locale.ROOT,
          "%s: ε = %.4f spent at δ = %.3g over %d rounds (%s), final clip norm %.4g", config.name(), dp.epsilon(),
          dp.delta(), history.size(), dp, dp.clip()));
    }
    return new Result(global, history, partition, stop, List.copyOf(adversaries));
  }

  /**
   * Saves the checkpoint due after {@code round} (every {@code checkpoint-every} rounds, and when the
   * time budget is spent before the last round); returns whether the budget stops the run.
   */
  private boolean afterRound(int round, ModelWeights global, Strategy strategy, double best, double elapsedBefore,
      long sessionStart, double budget, Checkpoint.Sink sink) throws java.io.IOException {
    double elapsed = elapsedBefore + (System.nanoTime() - sessionStart) / 1e9;
    boolean outOfTime = elapsed >= budget && round < config.rounds();
    boolean due = config.checkpointEvery() > 0 && round % config.checkpointEvery() == 0;
    if (outOfTime || due) {
      sink.save(new Checkpoint(round, global, best == Double.NEGATIVE_INFINITY ? Double.NaN : best, elapsed,
          strategy.state(), strategy instanceof io.tributary.crypto.dp.PrivateStrategy p ? p.ledger() : null));
    }
    return outOfTime;
  }

  /** A round in which every client's update was rejected (typically a learning rate that diverges). */
  public static final class DivergedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    DivergedException(String message) {
      super(message);
    }
  }

  /** A worker's trainer and its wire buffer, lent to one client at a time. */
  private record Worker(SharedDataTrainer trainer, byte[] wire, float[] x, int[] y, int[] identity) {}

  /** Parts of the test set evaluated in parallel (fixed, so metrics do not depend on threads). */
  static final int EVALUATION_PARTS = 4;

  /**
   * The lean trainer of the architecture: {@link DenseTrainer} for dense networks, {@link ConvTrainer}
   * for the CNN. Training rows start as row 0 of the given arrays (each client points the trainer at
   * its own); with {@code evaluationRows}, those test rows are its evaluation set.
   */
  private SharedDataTrainer newTrainer(ModelArchitecture net, DenseTrainer.Backend backend, float[] x, int[] labels,
      int[] evaluationRows, boolean worker) {
    if (net instanceof ConvNetwork conv) {
      ConvTrainer.Builder b = ConvTrainer.builder().network(conv).trainingData(x, labels, new int[] {0})
          .backend(backend).threads(1).reuseDeltaBuffer(worker);
      if (evaluationRows != null) {
        b.evaluationData(data.testX(), data.testLabels(), evaluationRows);
      }
      return b.build();
    }
    DenseTrainer.Builder b = DenseTrainer.builder().network((DenseNetwork) net).trainingData(x, labels, new int[] {0})
        .backend(backend).threads(1).reuseDeltaBuffer(worker);
    if (evaluationRows != null) {
      b.evaluationData(data.testX(), data.testLabels(), evaluationRows);
    }
    return b.build();
  }

  /** Evaluates every part on the pool and combines them in part order. */
  private static EvaluateResult evaluate(ExecutorService executor, List<SharedDataTrainer> parts, ModelWeights model)
      throws InterruptedException {
    List<Future<EvaluateResult>> futures = new ArrayList<>();
    for (SharedDataTrainer part : parts) {
      futures.add(executor.submit(() -> part.evaluate(model)));
    }
    double loss = 0;
    long correct = 0;
    long n = 0;
    for (Future<EvaluateResult> f : futures) {
      EvaluateResult r;
      try {
        r = f.get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("evaluation failed: " + e.getCause(), e.getCause());
      }
      loss += r.loss() * r.numExamples();
      // Accuracy is a count over the part: recover it exactly, so the total is exact too.
      correct += Math.round(r.accuracy() * r.numExamples());
      n += r.numExamples();
    }
    return new EvaluateResult(loss / n, n, java.util.Map.of(EvaluateResult.ACCURACY, (double) correct / n));
  }

  private static void close(SharedDataTrainer trainer) {
    if (trainer instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing a trainer failed: " + e, e);
      }
    }
  }

  /**
   * Trains {@code client} on a worker and folds its update: the round's config with the client's own
   * data-order seed and local epochs (stragglers run fewer), SCAFFOLD's correction c − c_i when the
   * strategy is SCAFFOLD, then the client mods, a malicious client's attack, norm bounding, and the
   * fold — into the accumulator, multiplied by the strategy's {@link Strategy#updateMultiplier}, or
   * into the round's buffer when a robust aggregator combines the updates.
   */
  private ClientUpdate trainClient(BlockingQueue<Worker> pool, Strategy strategy, RoundPlan plan, int slot, int client,
      Population population, ControlVariateStore controls) throws InterruptedException, InvalidUpdateException {
    int round = plan.round();
    ModelWeights global = plan.model();
    ConfigValues roundConfig = plan.config();
    UpdateAccumulator accumulator = plan.accumulator();
    Worker worker = pool.take();
    try {
      population.load(client, worker);
      // Each client shuffles its data with its own stream, derived from the round's seed and its id.
      ConfigValues.Builder perClient = ConfigValues.builder().putAll(roundConfig)
          .set(TrainingKeys.SEED, Seeds.derive(roundConfig.get(TrainingKeys.SEED), client));
      long epochs = ClientTraits.epochs(config, round, client);
      if (epochs != roundConfig.get(TrainingKeys.LOCAL_EPOCHS)) {
        perClient.set(TrainingKeys.LOCAL_EPOCHS, epochs);
      }
      ConfigValues clientConfig = perClient.build();
      float[] correction = plan.serverControl() == null ? null
          : Scaffold.correction(plan.serverControl(), controls.get(client));
      FitInstructions instructions =
          new FitInstructions(round, "sim-" + round + "-" + client, clientConfig, correction);
      FitResult result = worker.trainer.fit(global, instructions);
      float[] controlDelta = null;
      if (correction != null) {
        controlDelta = new float[correction.length];
        Scaffold.controlDelta(result.delta(), plan.serverControl(), result.localSteps(),
            clientConfig.get(TrainingKeys.LEARNING_RATE), controlDelta);
      }
      for (ClientMod mod : mods) {
        result = mod.apply(result, global, instructions);
      }
      float[] delta = result.delta();
      if (isMalicious(client)) {
        delta = attack(delta);
      }
      Map<String, Double> metrics = result.metrics();
      if (io.tributary.crypto.dp.DpClipping.requested(clientConfig)) {
        // DP-FedAvg's client half, as the SDK's mod runs it: clip to C (and, for local DP, add noise).
        boolean unclipped;
        try {
          unclipped = io.tributary.crypto.dp.DpClipping.apply(delta, global.layout(), clientConfig,
              io.tributary.crypto.dp.RandomBits.seeded(config.seed(), "dp local round " + round + " client " + client));
        } catch (IllegalArgumentException e) {
          throw new InvalidUpdateException("invalid update: " + e.getMessage());
        }
        metrics = new java.util.HashMap<>(metrics);
        metrics.put(io.tributary.crypto.dp.DpClipping.UNCLIPPED, unclipped ? 1.0 : 0.0);
      }
      if (config.clipNorm() > 0) {
        delta = NormBound.bound(delta, config.clipNorm());
      }
      long weight = strategy.aggregationWeight(result.numExamples(), result.localSteps());
      double multiplier;
      try {
        multiplier = strategy.updateMultiplier(result.numExamples(), result.localSteps(), result.accumulationNorm());
      } catch (IllegalArgumentException e) {
        throw new InvalidUpdateException("invalid update: " + e.getMessage());
      }
      if (pipeline.hasStages()) {
        // Stages work on the wire form, as for an upload to the server.
        TensorCodec.encode(delta, 0, delta.length, worker.wire, 0);
        pipeline.process(new UpdateStage.Context("sim-" + client, round, result.numExamples(),
            result.localSteps(), global.layout()), worker.wire, accumulator);
        if (plan.buffered() != null) {
          delta = new float[delta.length];
          TensorCodec.decode(worker.wire, 0, delta.length, delta, 0);
        }
      } else {
        // No stages: the same check and the same contributions, straight from the floats.
        try {
          accumulator.validate(delta);
        } catch (InvalidUpdateException e) {
          throw new InvalidUpdateException("invalid update: " + e.getMessage());
        }
      }
      if (controlDelta != null) {
        plan.controlAccumulator().validate(controlDelta);
      }
      // Every check passed: only now does the update leave a trace.
      if (plan.secure() != null) {
        try {
          plan.secure().submit(client, delta, weight, result.accumulationNorm());
        } catch (io.tributary.crypto.secagg.SecAggException | IllegalArgumentException e) {
          throw new InvalidUpdateException("secure aggregation refused the update: " + e.getMessage());
        }
      } else if (plan.buffered() != null) {
        // Robust aggregators need every update at once; the worker reuses its delta array, so copy.
        plan.buffered()[slot] = delta == result.delta() ? delta.clone() : delta;
        plan.bufferedWeights()[slot] = weight;
      } else if (pipeline.hasStages()) {
        accumulator.add(worker.wire, 0, weight, multiplier);
      } else {
        accumulator.add(delta, weight, multiplier);
      }
      if (controlDelta != null) {
        plan.controlAccumulator().add(controlDelta, 1);
        float[] updated = correction; // c − c_i, reused: c_i⁺ = c_i + Δc_i = (c − correction) + Δc_i
        for (int i = 0; i < updated.length; i++) {
          updated[i] = plan.serverControl()[i] - correction[i] + controlDelta[i];
        }
        controls.put(client, updated);
      }
      return new ClientUpdate("sim-" + client, round, result.numExamples(), result.localSteps(), weight, metrics);
    } finally {
      pool.put(worker);
    }
  }

  /** The round's buffered updates combined by {@code aggregator}, in cohort order (ascending ids). */
  private static AggregatedUpdate combine(RobustAggregator aggregator, RoundPlan plan,
      io.tributary.core.model.ModelLayout layout) {
    List<float[]> updates = new ArrayList<>();
    List<Long> weights = new ArrayList<>();
    for (int k = 0; k < plan.buffered().length; k++) {
      if (plan.buffered()[k] != null) {
        updates.add(plan.buffered()[k]);
        weights.add(plan.bufferedWeights()[k]);
      }
    }
    float[] combined = aggregator.aggregate(updates, weights.stream().mapToLong(Long::longValue).toArray());
    return AggregatedUpdate.ofCombined(layout, combined, updates.size());
  }

  /**
   * SecAgg+ parameters for a cohort of {@code n}: k and t derived for the configured corruption and
   * dropout rates ({@link SecAggParameters#derive}); when n is too small for those bounds, the complete
   * graph (Bonawitz et al.) with a majority threshold, which keeps security (t &gt; n/2) and fails the
   * round closed if more than n − t clients drop. The quantizer's weight bound is the largest
   * aggregation weight a client can have; its levels are the configured ones or the most (up to 2^16)
   * that keep n · W · (L − 1) below 2^32.
   */
  private io.tributary.crypto.secagg.SecAggParameters secureParameters(int n, long maxWeight) {
    int levels = config.secaggLevels();
    if (levels == 0) {
      long room = (0xFFFFFFFFL / ((long) n * maxWeight)) + 1;
      levels = (int) Math.min(1 << 16, Long.highestOneBit(Math.max(2, room)));
    }
    io.tributary.crypto.secagg.Quantizer q = new io.tributary.crypto.secagg.Quantizer(config.secaggClip(), levels,
        maxWeight);
    if (n < 2) {
      throw new IllegalArgumentException("secure aggregation needs at least 2 clients a round, got " + n);
    }
    if (config.secaggDegree() > 0 && n == config.clientsPerRound()) {
      return io.tributary.crypto.secagg.SecAggParameters.of(n, config.secaggDegree(), config.secaggThreshold(), q);
    }
    try {
      return io.tributary.crypto.secagg.SecAggParameters.derive(n, config.secaggCorruptFraction(),
          config.secaggDropoutFraction(), q);
    } catch (IllegalArgumentException e) {
      return io.tributary.crypto.secagg.SecAggParameters.of(n, n - 1, n / 2 + 1, q);
    }
  }

  /** The largest aggregation weight a client can have: its example count, or 1 with uniform weighting. */
  private long maxAggregationWeight(Population population) {
    if (config.strategySpec().weighting() != io.tributary.core.strategy.Weighting.EXAMPLES) {
      return 1;
    }
    return data.onDemand() ? SimulationData.generator(config).maxSize() : maxClientSize(population);
  }

  private int maxClientSize(Population population) {
    int max = 1;
    for (int c = 0; c < config.clients(); c++) {
      max = Math.max(max, population.size(c));
    }
    return max;
  }

  /** Whether {@code client} is one of the {@code malicious-clients}. */
  private boolean isMalicious(int client) {
    return malicious.length > 0 && Arrays.binarySearch(malicious, client) >= 0;
  }

  /** A malicious client's update: its honest one sign-flipped and scaled by {@code attack-scale}. */
  private float[] attack(float[] honest) {
    float[] out = new float[honest.length];
    float factor = (float) -config.attackScale();
    for (int i = 0; i < out.length; i++) {
      out[i] = factor * honest[i];
    }
    return out;
  }

  private Adversaries countAdversaries(int round, int[] cohort, List<ClientUpdate> updates) {
    int sampled = 0;
    for (int c : cohort) {
      if (isMalicious(c)) {
        sampled++;
      }
    }
    int aggregated = 0;
    for (ClientUpdate u : updates) {
      if (isMalicious(Integer.parseInt(u.clientId().substring("sim-".length())))) {
        aggregated++;
      }
    }
    LOG.log(System.Logger.Level.DEBUG, "round {0}: {1} malicious of {2} sampled, {3} aggregated", round, sampled,
        cohort.length, aggregated);
    return new Adversaries(round, sampled, aggregated);
  }

  /** {@link #sampleBySize} for tests, over this engine's partition. */
  int[] sampleBySizeForTest(int round) {
    return sampleBySize(round, population(partition()));
  }

  /**
   * The round's cohort drawn with probability proportional to each client's local data size, without
   * replacement (Efraimidis–Spirakis: the m largest keys u^(1/n_c), compared as log(u)/n_c), in
   * ascending order. O(clients) a round.
   */
  int[] sampleBySize(int round, Population population) {
    SplittableRandom random = new SplittableRandom(Seeds.derive(config.seed(), round));
    int m = config.clientsPerRound();
    java.util.PriorityQueue<double[]> best = new java.util.PriorityQueue<>((a, b) -> Double.compare(a[0], b[0]));
    for (int c = 0; c < config.clients(); c++) {
      int size = population.size(c);
      double u = random.nextDouble();
      if (size <= 0) {
        continue;
      }
      double key = Math.log(u) / size;
      if (best.size() < m) {
        best.add(new double[] {key, c});
      } else if (key > best.peek()[0]) {
        best.poll();
        best.add(new double[] {key, c});
      }
    }
    int[] out = best.stream().mapToInt(e -> (int) e[1]).toArray();
    Arrays.sort(out);
    return out;
  }

  /** Distributed DP's mechanism for a cohort of {@code n} ({@link io.tributary.crypto.dp.DistributedDiscreteGaussian#forSecureAggregation}). */
  private io.tributary.crypto.dp.DistributedDiscreteGaussian calibrateDistributed(int n, long maxWeight, double clip) {
    return io.tributary.crypto.dp.DistributedDiscreteGaussian.forSecureAggregation(
        config.model().layout().totalElements(), clip, config.dp().noiseMultiplier(), n,
        secureParameters(n, maxWeight).threshold(), config.secaggCorruptFraction());
  }

  /** The ε spent so far for the metrics: NaN without DP, and without noise (z = 0, ε infinite). */
  private static double epsilonOf(io.tributary.crypto.dp.PrivateStrategy dp) {
    return dp == null || Double.isInfinite(dp.epsilon()) ? Double.NaN : dp.epsilon();
  }

  /**
   * Poisson sampling, as the DP accountant assumes: each client joins the round independently with
   * probability q, so the cohort's size varies around q·N (and may be empty). O(N) a round; in
   * ascending order.
   */
  int[] samplePoisson(int round, double q) {
    SplittableRandom random = new SplittableRandom(Seeds.derive(Seeds.derive(config.seed(), -30), round));
    int[] chosen = new int[Math.max(16, (int) Math.min(config.clients(), 2 * q * config.clients() + 64))];
    int n = 0;
    for (int c = 0; c < config.clients(); c++) {
      if (random.nextDouble() < q) {
        if (n == chosen.length) {
          chosen = Arrays.copyOf(chosen, 2 * n);
        }
        chosen[n++] = c;
      }
    }
    return Arrays.copyOf(chosen, n);
  }

  /**
   * A selected client that dropped out of the round (a seeded coin, see {@link ClientTraits}) or a
   * straggler whose partial work is dropped; the message is the failure's reason.
   */
  private static final class DroppedOutException extends Exception {
    private static final long serialVersionUID = 1L;

    DroppedOutException(String reason) {
      super(reason, null, false, false);
    }
  }

  private static final String DROPPED_OUT = "dropped out";
  private static final String STRAGGLER_DROPPED = "straggler dropped";
  /** Client control variates kept on the heap before the store spills to a scratch file. */
  static final long CONTROL_VARIATE_HEAP_BYTES = 256L << 20;
  private static final System.Logger LOG = System.getLogger(SimulationEngine.class.getName());

  /**
   * The round's cohort: {@code clients-per-round} clients sampled uniformly from those online this
   * round. With availability 1 that is Floyd's sample; otherwise sampling is repeated (each draw from
   * a fresh seeded stream) keeping online clients, so memory stays O(cohort).
   */
  int[] sampleOnlineClients(int round) {
    SplittableRandom random = new SplittableRandom(Seeds.derive(config.seed(), round));
    if (config.availability() >= 1.0) {
      return sampleClients(config.clients(), config.clientsPerRound(), random);
    }
    java.util.TreeSet<Integer> chosen = new java.util.TreeSet<>();
    long attempts = 0;
    long limit = 1000L * config.clients();
    while (chosen.size() < config.clientsPerRound() && attempts++ < limit) {
      int c = random.nextInt(config.clients());
      if (ClientTraits.online(config, round, c)) {
        chosen.add(c);
      }
    }
    return chosen.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * {@code m} distinct clients out of {@code k}, uniformly, in ascending order — Floyd's algorithm,
   * so memory is O(m) even for populations of millions.
   */
  static int[] sampleClients(int k, int m, SplittableRandom random) {
    if (m > k || m < 1) {
      throw new IllegalArgumentException("cannot sample " + m + " of " + k + " clients");
    }
    Set<Integer> chosen = new HashSet<>();
    for (int j = k - m; j < k; j++) {
      int t = random.nextInt(j + 1);
      if (!chosen.add(t)) {
        chosen.add(j);
      }
    }
    int[] out = chosen.stream().mapToInt(Integer::intValue).toArray();
    Arrays.sort(out);
    return out;
  }
}
