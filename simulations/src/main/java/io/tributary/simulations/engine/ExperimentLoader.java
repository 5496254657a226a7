package io.tributary.simulations.engine;

import static io.tributary.core.config.ConfigScalars.batchSize;
import static io.tributary.core.config.ConfigScalars.bool;
import static io.tributary.core.config.ConfigScalars.integer;
import static io.tributary.core.config.ConfigScalars.longInteger;
import static io.tributary.core.config.ConfigScalars.number;
import static io.tributary.core.config.ConfigScalars.string;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads an experiment YAML file into one or more {@link ExperimentConfig}s through the config's
 * builder, so YAML, {@code --set key=value} overrides and code share one validation path.
 *
 * <p>A file holds the base keys and optionally {@code runs:}, a list of mappings that each override
 * some keys (and should set {@code name}) — one run each, e.g. a learning-rate sweep. Unknown keys and
 * values of the wrong type are errors that name the key. Stateless and thread-safe.
 */
public final class ExperimentLoader {
  private static final Map<String, BiConsumer<ExperimentConfig.Builder, Object>> KEYS = new LinkedHashMap<>();

  static {
    KEYS.put("name", (b, v) -> b.name(string("name", v)));
    KEYS.put("dataset", (b, v) -> b.dataset(string("dataset", v)));
    KEYS.put("data-dir", (b, v) -> b.dataDir(string("data-dir", v)));
    KEYS.put("partition", (b, v) -> b.partition(string("partition", v)));
    KEYS.put("shards-per-client", (b, v) -> b.shardsPerClient(integer("shards-per-client", v)));
    KEYS.put("dirichlet-alpha", (b, v) -> b.dirichletAlpha(number("dirichlet-alpha", v)));
    KEYS.put("power-law-exponent", (b, v) -> b.powerLawExponent(number("power-law-exponent", v)));
    KEYS.put("min-client-size", (b, v) -> b.minClientSize(integer("min-client-size", v)));
    KEYS.put("model", (b, v) -> b.model(string("model", v)));
    for (String key : io.tributary.core.strategy.StrategySpec.KEYS) {
      KEYS.put(key, (b, v) -> b.strategyKey(key, v));
    }
    for (String key : io.tributary.crypto.dp.DpSpec.KEYS) {
      KEYS.put(key, (b, v) -> b.dpKey(key, v));
    }
    KEYS.put("labels-per-client", (b, v) -> b.labelsPerClient(integer("labels-per-client", v)));
    KEYS.put("synthetic-min-size", (b, v) -> b.syntheticMinSize(integer("synthetic-min-size", v)));
    KEYS.put("synthetic-max-size", (b, v) -> b.syntheticMaxSize(integer("synthetic-max-size", v)));
    KEYS.put("client-sampling", (b, v) -> b.clientSampling(string("client-sampling", v)));
    KEYS.put("stragglers", (b, v) -> b.stragglers(number("stragglers", v)));
    KEYS.put("drop-stragglers", (b, v) -> b.dropStragglers(bool("drop-stragglers", v)));
    KEYS.put("epochs-per-round", (b, v) -> b.epochsPerRound(bool("epochs-per-round", v)));
    KEYS.put("malicious-clients", (b, v) -> b.maliciousClients(integer("malicious-clients", v)));
    KEYS.put("attack", (b, v) -> b.attack(string("attack", v)));
    KEYS.put("attack-scale", (b, v) -> b.attackScale(number("attack-scale", v)));
    KEYS.put("clip-norm", (b, v) -> b.clipNorm(number("clip-norm", v)));
    KEYS.put("secure-aggregation", (b, v) -> b.secureAggregation(bool("secure-aggregation", v)));
    KEYS.put("secagg-clip", (b, v) -> b.secaggClip(number("secagg-clip", v)));
    KEYS.put("secagg-levels", (b, v) -> b.secaggLevels(integer("secagg-levels", v)));
    KEYS.put("secagg-corrupt-fraction", (b, v) -> b.secaggCorruptFraction(number("secagg-corrupt-fraction", v)));
    KEYS.put("secagg-degree", (b, v) -> b.secaggDegree(integer("secagg-degree", v)));
    KEYS.put("secagg-threshold", (b, v) -> b.secaggThreshold(integer("secagg-threshold", v)));
    KEYS.put("secagg-dropout-fraction", (b, v) -> b.secaggDropoutFraction(number("secagg-dropout-fraction", v)));
    KEYS.put("clients", (b, v) -> b.clients(integer("clients", v)));
    KEYS.put("clients-per-round", (b, v) -> b.clientsPerRound(integer("clients-per-round", v)));
    KEYS.put("fraction", (b, v) -> b.fraction(number("fraction", v)));
    KEYS.put("local-epochs", (b, v) -> b.localEpochs(integer("local-epochs", v)));
    KEYS.put("batch-size", (b, v) -> b.batchSize(batchSize("batch-size", v)));
    KEYS.put("learning-rate", (b, v) -> b.learningRate(number("learning-rate", v)));
    KEYS.put("rounds", (b, v) -> b.rounds(integer("rounds", v)));
    KEYS.put("eval-every", (b, v) -> b.evalEvery(integer("eval-every", v)));
    KEYS.put("seed", (b, v) -> b.seed(longInteger("seed", v)));
    KEYS.put("threads", (b, v) -> b.threads(integer("threads", v)));
    KEYS.put("target-accuracy", (b, v) -> b.targetAccuracy(number("target-accuracy", v)));
    KEYS.put("backend", (b, v) -> b.backend(string("backend", v)));
    KEYS.put("synthetic-alpha", (b, v) -> b.syntheticAlpha(number("synthetic-alpha", v)));
    KEYS.put("synthetic-beta", (b, v) -> b.syntheticBeta(number("synthetic-beta", v)));
    KEYS.put("speed-sigma", (b, v) -> b.speedSigma(number("speed-sigma", v)));
    KEYS.put("local-epochs-max", (b, v) -> b.localEpochsMax(longInteger("local-epochs-max", v)));
    KEYS.put("availability", (b, v) -> b.availability(number("availability", v)));
    KEYS.put("dropout", (b, v) -> b.dropout(number("dropout", v)));
    KEYS.put("stop-at-target", (b, v) -> b.stopAtTarget(bool("stop-at-target", v)));
    KEYS.put("device-samples-per-second", (b, v) -> b.deviceSamplesPerSecond(number("device-samples-per-second", v)));
    KEYS.put("checkpoint-every", (b, v) -> b.checkpointEvery(integer("checkpoint-every", v)));
    KEYS.put("time-budget", (b, v) -> b.timeBudget(io.tributary.core.config.ConfigScalars.duration("time-budget", v)));
  }

  private ExperimentLoader() {}

  /** The keys an experiment file may contain (besides {@code runs}). */
  public static Iterable<String> keys() {
    return KEYS.keySet();
  }

  /** The runs a file describes, each with the {@code overrides} (key=value strings) applied last. */
  public static List<ExperimentConfig> load(Path file, List<String> overrides) throws IOException {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parse(r, file.toString(), overrides);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /** As {@link #load}, from YAML text; {@code source} names it in errors. */
  public static List<ExperimentConfig> parse(Reader yaml, String source, List<String> overrides) {
    Object doc;
    try {
      doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    } catch (YAMLException e) {
      throw new IllegalArgumentException("not valid YAML (" + source + "): " + e.getMessage(), e);
    }
    Map<?, ?> base = doc == null ? Map.of() : asMap(doc, "the top level of " + source);
    List<Map<?, ?>> runs = new ArrayList<>();
    Object runList = base.get("runs");
    if (runList == null) {
      runs.add(Map.of());
    } else if (runList instanceof List<?> list && !list.isEmpty()) {
      for (int i = 0; i < list.size(); i++) {
        runs.add(asMap(list.get(i), "runs[" + i + "]"));
      }
    } else {
      throw new IllegalArgumentException("config 'runs' must be a non-empty list of mappings");
    }
    Map<String, Object> parsedOverrides = parseOverrides(overrides);
    List<ExperimentConfig> out = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      ExperimentConfig.Builder b = ExperimentConfig.builder();
      apply(b, base, "");
      apply(b, runs.get(i), runList == null ? "" : "runs[" + i + "].");
      apply(b, parsedOverrides, "--set ");
      if (runList != null && !runs.get(i).containsKey("name")) {
        Object baseName = base.get("name");
        b.name((baseName == null ? "experiment" : String.valueOf(baseName)) + "-" + (i + 1));
      }
      ExperimentConfig c = b.build();
      if (names.contains(c.name())) {
        throw new IllegalArgumentException("two runs are named '" + c.name() + "'; give each run its own name");
      }
      names.add(c.name());
      out.add(c);
    }
    return out;
  }

  private static Map<?, ?> asMap(Object o, String what) {
    if (!(o instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(what + " must be a mapping of keys");
    }
    return m;
  }

  private static void apply(ExperimentConfig.Builder b, Map<?, ?> values, String prefix) {
    for (Map.Entry<?, ?> e : values.entrySet()) {
      String key = String.valueOf(e.getKey());
      if (key.equals("runs") && prefix.isEmpty()) {
        continue;
      }
      BiConsumer<ExperimentConfig.Builder, Object> setter = KEYS.get(key);
      if (setter == null) {
        throw new IllegalArgumentException(
            "unknown config key '" + prefix + key + "'; known keys: " + KEYS.keySet() + " and runs");
      }
      if (e.getValue() == null) {
        throw new IllegalArgumentException("config '" + prefix + key + "' has no value");
      }
      setter.accept(b, e.getValue());
    }
  }

  /** key=value strings; values are read as YAML scalars (so 0.1 is a number, inf a string). */
  static Map<String, Object> parseOverrides(List<String> overrides) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String o : overrides) {
      int eq = o.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--set expects key=value, got '" + o + "'");
      }
      Object value = new Yaml(new SafeConstructor(new LoaderOptions()))
          .load(new StringReader(o.substring(eq + 1)));
      out.put(o.substring(0, eq).trim(), value);
    }
    return out;
  }






}
