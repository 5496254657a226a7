package io.tributary.server;

import static io.tributary.core.config.ConfigScalars.batchSize;
import static io.tributary.core.config.ConfigScalars.bool;
import static io.tributary.core.config.ConfigScalars.duration;
import static io.tributary.core.config.ConfigScalars.integer;
import static io.tributary.core.config.ConfigScalars.longInteger;
import static io.tributary.core.config.ConfigScalars.number;
import static io.tributary.core.config.ConfigScalars.string;

import io.tributary.core.strategy.StrategySpec;
import io.tributary.crypto.dp.DpSpec;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a server YAML file into a {@link ServerConfig.Builder}, so that YAML, command-line flags and
 * code share one validation path. Keys are kebab-case and match {@link ServerConfig#describe()};
 * unknown keys and values of the wrong type are errors that name the key. The strategy's keys
 * ({@link StrategySpec#KEYS}: {@code strategy}, {@code server-learning-rate}, {@code proximal-mu},
 * {@code aggregator}, ...) go to the embedded {@link StrategySpec} builder unchanged, and the
 * differential-privacy keys ({@link DpSpec#KEYS}: {@code dp}, {@code dp-noise-multiplier}, {@code
 * dp-clip}, ...) to the embedded {@link DpSpec} builder.
 *
 * <p>Stateless and thread-safe.
 */
public final class ServerConfigLoader {
  private static final Map<String, BiConsumer<ServerConfig.Builder, Object>> KEYS = new LinkedHashMap<>();
  /** The order the strategy's keys are listed in (help, errors); keys fl-core adds later follow, sorted. */
  private static final List<String> STRATEGY_KEY_ORDER = List.of("strategy", "server-learning-rate",
      "server-momentum", "server-beta1", "server-beta2", "server-tau", "proximal-mu", "weighting", "aggregator",
      "trim-fraction", "krum-f", "krum-m");

  static {
    KEYS.put("host", (b, v) -> b.host(string("host", v)));
    KEYS.put("port", (b, v) -> b.port(integer("port", v)));
    KEYS.put("rounds", (b, v) -> b.rounds(integer("rounds", v)));
    KEYS.put("clients-per-round", (b, v) -> b.clientsPerRound(integer("clients-per-round", v)));
    KEYS.put("min-reports", (b, v) -> b.minReports(integer("min-reports", v)));
    KEYS.put("round-deadline", (b, v) -> b.roundDeadline(duration("round-deadline", v)));
    KEYS.put("selection-timeout", (b, v) -> b.selectionTimeout(duration("selection-timeout", v)));
    for (String key : strategyKeys()) {
      KEYS.put(key, (b, v) -> b.strategySetting(key, v));
    }
    KEYS.put("learning-rate", (b, v) -> b.learningRate(number("learning-rate", v)));
    KEYS.put("local-epochs", (b, v) -> b.localEpochs(longInteger("local-epochs", v)));
    KEYS.put("batch-size", (b, v) -> b.batchSize(batchSize("batch-size", v)));
    KEYS.put("model", (b, v) -> b.model(string("model", v)));
    KEYS.put("initial-model", (b, v) -> b.initialModel(Path.of(string("initial-model", v))));
    KEYS.put("seed", (b, v) -> b.seed(longInteger("seed", v)));
    KEYS.put("evaluation-data", (b, v) -> b.evaluationData(Path.of(string("evaluation-data", v))));
    KEYS.put("upload-slots", (b, v) -> b.uploadSlots(integer("upload-slots", v)));
    KEYS.put("max-abs-update-value", (b, v) -> b.maxAbsUpdateValue(number("max-abs-update-value", v)));
    KEYS.put("save-model", (b, v) -> b.saveModel(Path.of(string("save-model", v))));
    KEYS.put("metrics-file", (b, v) -> b.metricsFile(Path.of(string("metrics-file", v))));
    KEYS.put("max-round-attempts", (b, v) -> b.maxRoundAttempts(integer("max-round-attempts", v)));
    KEYS.put("clip-norm", (b, v) -> b.clipNorm(number("clip-norm", v)));
    KEYS.put("total-clients", (b, v) -> b.totalClients(integer("total-clients", v)));
    KEYS.put("secure-aggregation", (b, v) -> b.secureAggregation(bool("secure-aggregation", v)));
    KEYS.put("secagg-clip", (b, v) -> b.secAggClip(number("secagg-clip", v)));
    KEYS.put("secagg-levels", (b, v) -> b.secAggLevels(integer("secagg-levels", v)));
    KEYS.put("secagg-max-weight", (b, v) -> b.secAggMaxWeight(longInteger("secagg-max-weight", v)));
    KEYS.put("secagg-corrupt-fraction", (b, v) -> b.secAggCorruptFraction(number("secagg-corrupt-fraction", v)));
    KEYS.put("secagg-dropout-fraction", (b, v) -> b.secAggDropoutFraction(number("secagg-dropout-fraction", v)));
    KEYS.put("secagg-stage-timeout", (b, v) -> b.secAggStageTimeout(duration("secagg-stage-timeout", v)));
    for (String key : DpSpec.KEYS) {
      KEYS.put(key, (b, v) -> b.dpSetting(key, v));
    }
  }

  private ServerConfigLoader() {}

  /** {@link StrategySpec#KEYS} in a stable order. */
  private static Set<String> strategyKeys() {
    Set<String> keys = new LinkedHashSet<>();
    for (String k : STRATEGY_KEY_ORDER) {
      if (StrategySpec.KEYS.contains(k)) {
        keys.add(k);
      }
    }
    keys.addAll(new TreeSet<>(StrategySpec.KEYS));
    return keys;
  }

  /** The keys a server YAML file may contain. */
  public static Iterable<String> keys() {
    return KEYS.keySet();
  }

  /** Applies the YAML file at {@code path} to {@code builder}. */
  public static ServerConfig.Builder load(Path path, ServerConfig.Builder builder) throws IOException {
    try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      return apply(r, builder, path.toString());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
    }
  }

  /** Applies YAML text to {@code builder}; {@code source} names it in errors. */
  public static ServerConfig.Builder apply(Reader yaml, ServerConfig.Builder builder, String source) {
    Object doc;
    try {
      doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    } catch (YAMLException e) {
      throw new IllegalArgumentException("not valid YAML (" + source + "): " + e.getMessage(), e);
    }
    if (doc == null) {
      return builder;
    }
    if (!(doc instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException("the top level of " + source + " must be a mapping of keys");
    }
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String key = String.valueOf(e.getKey());
      BiConsumer<ServerConfig.Builder, Object> setter = KEYS.get(key);
      if (setter == null) {
        throw new IllegalArgumentException("unknown config key '" + key + "'; known keys: " + KEYS.keySet());
      }
      if (e.getValue() == null) {
        throw new IllegalArgumentException("config '" + key + "' has no value");
      }
      setter.accept(builder, e.getValue());
    }
    return builder;
  }
}
