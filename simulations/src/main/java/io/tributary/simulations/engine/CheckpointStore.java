package io.tributary.simulations.engine;

import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.model.TensorCodec;
import io.tributary.data.json.JsonReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Saves and loads one run's {@link Checkpoint} in a run directory, so that a long experiment can stop
 * (a time budget, a crash, a reboot) and go on later with {@code simulate --resume}.
 *
 * <p>Files per run: {@code checkpoint-<run>-round-<r>.f32}, the model as little-endian float32
 * ({@link TensorCodec}); {@code checkpoint-<run>-round-<r>-state-<name>.f32}, one per vector of the
 * strategy's server state (none for FedAvg); and {@code checkpoint-<run>.json}, which names those
 * files with their SHA-256,
 * the round, the best accuracy, the time spent and a fingerprint of the config. Saving writes the
 * model under a new name, then replaces the JSON atomically, then deletes the previous model: at
 * every instant the JSON names a complete model, so a crash while saving loses at most the newest
 * checkpoint, never the last good one.
 *
 * <p>Loading refuses, with a message that says why, a checkpoint whose model is missing, truncated or
 * altered (SHA-256), whose layout differs, or that was written for another experiment: the
 * fingerprint covers every key that changes what a round computes, and leaves out {@code rounds},
 * {@code threads}, {@code time-budget}, {@code checkpoint-every}, {@code stop-at-target} and {@code
 * dp-epsilon-budget}, which may change between sessions (e.g. to extend a run; the ε already spent
 * travels in the checkpoint's privacy ledger and is never reset).
 *
 * <p>Not thread-safe; one store per run.
 */
public final class CheckpointStore implements Checkpoint.Sink {
  private static final String FORMAT = "tributary-checkpoint/1";
  /** Keys that do not change what a round computes, and so may differ on resume. */
  private static final java.util.Set<String> FREE_KEYS =
      java.util.Set.of("rounds", "threads", "time-budget", "checkpoint-every", "stop-at-target", "dp-epsilon-budget");

  private final Path directory;
  private final ExperimentConfig config;

  public CheckpointStore(Path directory, ExperimentConfig config) {
    this.directory = directory;
    this.config = config;
  }

  /** The JSON file that names the run's current checkpoint. */
  public Path stateFile() {
    return directory.resolve("checkpoint-" + config.name() + ".json");
  }

  @Override
  public void save(Checkpoint checkpoint) throws IOException {
    Files.createDirectories(directory);
    java.util.Set<String> previous = Files.exists(stateFile()) ? files(readState()) : java.util.Set.of();
    String prefix = "checkpoint-" + config.name() + "-round-" + checkpoint.round();
    String modelFile = prefix + ".f32";
    byte[] bytes = TensorCodec.toBytes(checkpoint.model().toArray());
    writeAtomically(modelFile, bytes);
    // The strategy's server state (FedAvgM's momentum, FedAdam's moments), one file per vector.
    StringBuilder stateKeys = new StringBuilder();
    java.util.List<String> names = new java.util.ArrayList<>(new java.util.TreeSet<>(checkpoint.strategyState().keySet()));
    for (String name : names) {
      if (!name.matches("[A-Za-z0-9_-]+")) {
        throw new IllegalArgumentException("strategy state name '" + name + "' is not a plain word");
      }
      String file = prefix + "-state-" + name + ".f32";
      byte[] vector = TensorCodec.toBytes(checkpoint.strategyState().get(name));
      writeAtomically(file, vector);
      stateKeys.append("\"state_").append(name).append("_file\": \"").append(escape(file)).append("\", ");
      stateKeys.append("\"state_").append(name).append("_sha256\": \"").append(sha256(vector)).append("\", ");
    }
    StringBuilder json = new StringBuilder("{");
    json.append("\"format\": \"").append(FORMAT).append("\", ");
    json.append("\"run\": \"").append(escape(config.name())).append("\", ");
    json.append("\"round\": ").append(checkpoint.round()).append(", ");
    json.append("\"best_accuracy\": ")
        .append(Double.isNaN(checkpoint.bestAccuracy()) ? "null" : Double.toString(checkpoint.bestAccuracy()))
        .append(", ");
    json.append("\"elapsed_seconds\": ").append(checkpoint.elapsedSeconds()).append(", ");
    json.append("\"model_file\": \"").append(escape(modelFile)).append("\", ");
    json.append("\"model_sha256\": \"").append(sha256(bytes)).append("\", ");
    json.append("\"state_names\": \"").append(String.join(",", names)).append("\", ");
    json.append(stateKeys);
    if (checkpoint.privacyLedger() != null) {
      // The accountant's state and the adaptive clip norm: resuming continues the ε spent, never resets it.
      json.append("\"privacy_ledger\": \"").append(escape(checkpoint.privacyLedger())).append("\", ");
    }
    json.append("\"config_fingerprint\": \"").append(fingerprint(config)).append("\"}\n");
    Path tmpState = directory.resolve(stateFile().getFileName() + ".tmp");
    Files.writeString(tmpState, json, StandardCharsets.UTF_8);
    Files.move(tmpState, stateFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    java.util.Set<String> current = files(readState());
    for (String old : previous) {
      if (!current.contains(old)) {
        Files.deleteIfExists(directory.resolve(old));
      }
    }
  }

  private void writeAtomically(String file, byte[] bytes) throws IOException {
    Path tmp = directory.resolve(file + ".tmp");
    Files.write(tmp, bytes);
    Files.move(tmp, directory.resolve(file), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The model and state files a checkpoint's JSON names. */
  private static java.util.Set<String> files(Map<String, String> state) {
    java.util.Set<String> files = new java.util.HashSet<>();
    files.add(state.get("model_file"));
    for (String name : stateNames(state)) {
      files.add(state.get("state_" + name + "_file"));
    }
    files.remove(null);
    return files;
  }

  private static java.util.List<String> stateNames(Map<String, String> state) {
    String names = state.get("state_names");
    return names == null || names.isEmpty() ? java.util.List.of() : java.util.List.of(names.split(","));
  }

  /** Deletes the run's checkpoint (once the run has finished and its final model is written). */
  public void clear() throws IOException {
    if (Files.exists(stateFile())) {
      java.util.Set<String> files = files(readState());
      Files.delete(stateFile());
      for (String file : files) {
        Files.deleteIfExists(directory.resolve(file));
      }
    }
  }

  /**
   * The run's checkpoint, if one was saved.
   *
   * @throws IllegalStateException if the checkpoint is damaged or belongs to another experiment; the
   *     message says which and how
   */
  public Optional<Checkpoint> load(ModelLayout layout) throws IOException {
    if (!Files.exists(stateFile())) {
      return Optional.empty();
    }
    Map<String, String> state = readState();
    String where = stateFile().toString();
    if (!FORMAT.equals(state.get("format"))) {
      throw new IllegalStateException(where + ": not a " + FORMAT + " file (format " + state.get("format") + ")");
    }
    if (!fingerprint(config).equals(state.get("config_fingerprint"))) {
      throw new IllegalStateException(where + ": written by run '" + state.get("run")
          + "' with another configuration; only rounds, threads, time-budget, checkpoint-every, stop-at-target"
          + " and dp-epsilon-budget may change on resume (start a new --out directory instead)");
    }
    Path model = directory.resolve(state.get("model_file"));
    if (!Files.exists(model)) {
      throw new IllegalStateException(where + ": its model file " + model + " is missing");
    }
    byte[] bytes = Files.readAllBytes(model);
    if (!sha256(bytes).equals(state.get("model_sha256"))) {
      throw new IllegalStateException(where + ": " + model + " does not match its SHA-256 (damaged or altered)");
    }
    if (bytes.length != layout.totalBytes()) {
      throw new IllegalStateException(where + ": " + model + " holds " + bytes.length + " bytes, the model "
          + config.model().name() + " needs " + layout.totalBytes());
    }
    Map<String, float[]> strategyState = new TreeMap<>();
    for (String name : stateNames(state)) {
      Path file = directory.resolve(state.get("state_" + name + "_file"));
      if (!Files.exists(file)) {
        throw new IllegalStateException(where + ": its strategy state file " + file + " is missing");
      }
      byte[] vector = Files.readAllBytes(file);
      if (!sha256(vector).equals(state.get("state_" + name + "_sha256"))) {
        throw new IllegalStateException(where + ": " + file + " does not match its SHA-256 (damaged or altered)");
      }
      strategyState.put(name, TensorCodec.fromBytes(vector));
    }
    String best = state.get("best_accuracy");
    return Optional.of(new Checkpoint(Integer.parseInt(state.get("round")),
        ModelWeights.of(layout, TensorCodec.fromBytes(bytes)), best == null ? Double.NaN : Double.parseDouble(best),
        Double.parseDouble(state.get("elapsed_seconds")), strategyState, state.get("privacy_ledger")));
  }

  /** SHA-256 (hex) of the config's keys that change what a round computes, in key order. */
  static String fingerprint(ExperimentConfig config) {
    Map<String, Object> keys = new TreeMap<>(config.describe());
    keys.keySet().removeAll(FREE_KEYS);
    return sha256(keys.toString().getBytes(StandardCharsets.UTF_8));
  }

  private Map<String, String> readState() throws IOException {
    Map<String, String> state = new TreeMap<>();
    try (JsonReader json = JsonReader.open(stateFile())) {
      json.beginObject();
      while (json.hasNext()) {
        String name = json.nextName();
        if (json.peek() == JsonReader.Token.NULL) {
          json.nextNull();
          state.put(name, null);
        } else if (json.peek() == JsonReader.Token.STRING) {
          state.put(name, json.nextString());
        } else {
          state.put(name, Double.toString(json.nextDouble()));
        }
      }
      json.endObject();
    }
    if (state.get("round") != null) {
      state.put("round", Integer.toString((int) Double.parseDouble(state.get("round"))));
    }
    return state;
  }

  private static String sha256(byte[] bytes) {
    MessageDigest md = TensorCodec.sha256();
    return HexFormat.of().formatHex(md.digest(bytes));
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
