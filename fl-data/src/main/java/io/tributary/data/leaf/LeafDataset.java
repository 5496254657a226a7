package io.tributary.data.leaf;

import io.tributary.data.DatasetFormatException;
import io.tributary.data.json.JsonReader;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A federated dataset in the JSON format of LEAF (Caldas et al. 2018, "LEAF: A Benchmark for
 * Federated Settings"), loaded into per-user sample lists.
 *
 * <p>Format: each file is one object
 * <pre>
 * {"users": ["u1", ...], "num_samples": [n1, ...],
 *  "user_data": {"u1": {"x": [...], "y": [...]}, ...}}
 * </pre>
 * with other keys (e.g. {@code hierarchies}) ignored. Two sample kinds are supported:
 * <ul>
 *   <li>{@link Kind#NUMERIC}: every {@code x} entry is an array of numbers (FEMNIST: 784 floats;
 *       LEAF's Synthetic: 60), every {@code y} a non-negative integer class;
 *   <li>{@link Kind#TEXT}: every {@code x} entry is a string (Shakespeare: 80 characters), every
 *       {@code y} a one-character string; characters are mapped to their index in
 *       {@link #SHAKESPEARE_VOCABULARY}, LEAF's {@code ALL_LETTERS}.
 * </ul>
 * All samples of a dataset must have the same kind and length. Files are validated completely:
 * {@code users} and {@code num_samples} must have equal lengths, each listed user must have a
 * {@code user_data} entry whose {@code x} and {@code y} hold exactly {@code num_samples} entries, no
 * unlisted user may have samples (LEAF's {@code split_data.py} leaves empty entries for the users it
 * drops; those are ignored), and no user may appear in two files. By default text must use only
 * vocabulary characters (LEAF's own {@code word_to_indices} would silently map others to -1);
 * {@link UnknownCharacters#MAP_TO_OUT_OF_VOCABULARY} maps them to {@link #OUT_OF_VOCABULARY}
 * instead. Every violation is
 * a {@link DatasetFormatException} naming the file, the user, the sample and, where it applies, the
 * byte offset. Files are streamed with {@link JsonReader} and may be gzip-compressed.
 *
 * <p>Users keep the order of the files (sorted by name for a directory) and, within a file, the
 * order of its {@code users} list. Instances are immutable and thread-safe (see {@link LeafUser} for
 * the shared-array caveat).
 */
public final class LeafDataset {

  /** Whether a dataset's samples are numeric vectors or character sequences. */
  public enum Kind {
    /** {@code x} entries are arrays of numbers, {@code y} entries integers. */
    NUMERIC,
    /** {@code x} entries are strings, {@code y} entries one-character strings. */
    TEXT
  }

  /** What to do with a text character that is not in {@link #SHAKESPEARE_VOCABULARY}. */
  public enum UnknownCharacters {
    /** Fail with a {@link DatasetFormatException} naming the character, sample and offset. */
    REJECT,
    /** Map it to {@link #OUT_OF_VOCABULARY}, one index past the vocabulary. */
    MAP_TO_OUT_OF_VOCABULARY
  }

  /**
   * LEAF's 80-character vocabulary for Shakespeare ({@code ALL_LETTERS} in
   * {@code models/utils/language_utils.py} of the LEAF repository); a character's index is its
   * position here.
   */
  public static final String SHAKESPEARE_VOCABULARY =
      "\n !\"&'(),-.0123456789:;>?ABCDEFGHIJKLMNOPQRSTUVWXYZ[]abcdefghijklmnopqrstuvwxyz}";

  /**
   * The index that {@link UnknownCharacters#MAP_TO_OUT_OF_VOCABULARY} gives characters outside the
   * vocabulary: 80, so models need a vocabulary of 81 entries.
   */
  public static final int OUT_OF_VOCABULARY = 80;

  /** Vocabulary index by character for ASCII; -1 where absent. */
  private static final int[] VOCABULARY_INDEX = new int[128];

  static {
    Arrays.fill(VOCABULARY_INDEX, -1);
    for (int index = 0; index < SHAKESPEARE_VOCABULARY.length(); index++) {
      VOCABULARY_INDEX[SHAKESPEARE_VOCABULARY.charAt(index)] = index;
    }
  }

  private final Kind kind;
  private final int featureLength;
  private final List<LeafUser> users;
  private final Map<String, LeafUser> byId;

  private LeafDataset(Kind kind, int featureLength, List<LeafUser> users) {
    this.kind = kind;
    this.featureLength = featureLength;
    this.users = Collections.unmodifiableList(users);
    Map<String, LeafUser> index = new HashMap<>();
    for (LeafUser user : users) {
      index.put(user.id(), user);
    }
    this.byId = index;
  }

  /**
   * Returns a character's index in {@link #SHAKESPEARE_VOCABULARY}.
   *
   * @param character a UTF-16 code unit
   * @return the index in {@code 0..79}, or -1 if the character is not in the vocabulary
   */
  public static int vocabularyIndex(char character) {
    return character < VOCABULARY_INDEX.length ? VOCABULARY_INDEX[character] : -1;
  }

  /**
   * Loads every {@code .json} or {@code .json.gz} file directly in a directory (e.g. LEAF's
   * {@code data/train/}), in file-name order, rejecting text outside the vocabulary;
   * subdirectories and other files are ignored.
   *
   * @param directory the directory
   * @return the dataset
   * @throws NoSuchFileException if the directory does not exist or holds no JSON file
   * @throws DatasetFormatException if a file is malformed (see the class documentation)
   * @throws IOException if a file cannot be read
   */
  public static LeafDataset loadDirectory(Path directory) throws IOException {
    return loadDirectory(directory, UnknownCharacters.REJECT);
  }

  /**
   * Loads every {@code .json} or {@code .json.gz} file directly in a directory, in file-name order;
   * subdirectories and other files are ignored.
   *
   * @param directory the directory
   * @param unknownCharacters what to do with text characters outside the vocabulary
   * @return the dataset
   * @throws NoSuchFileException if the directory does not exist or holds no JSON file
   * @throws DatasetFormatException if a file is malformed (see the class documentation)
   * @throws IOException if a file cannot be read
   */
  public static LeafDataset loadDirectory(Path directory, UnknownCharacters unknownCharacters)
      throws IOException {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(unknownCharacters, "unknownCharacters");
    if (!Files.isDirectory(directory)) {
      throw new NoSuchFileException(directory.toString(), null,
          "LEAF directory does not exist or is not a directory");
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if ((name.endsWith(".json") || name.endsWith(".json.gz")) && Files.isRegularFile(entry)) {
          files.add(entry);
        }
      }
    }
    if (files.isEmpty()) {
      throw new NoSuchFileException(directory.toString(), null,
          "no .json or .json.gz files in this LEAF directory");
    }
    files.sort(null);
    return loadFiles(files, unknownCharacters);
  }

  /**
   * Loads the given files, in the given order, as one dataset, rejecting text outside the
   * vocabulary.
   *
   * @param files LEAF JSON files, raw or gzip-compressed
   * @return the dataset
   * @throws DatasetFormatException if a file is malformed or a user appears in two files
   * @throws IOException if a file cannot be read
   */
  public static LeafDataset loadFiles(List<Path> files) throws IOException {
    return loadFiles(files, UnknownCharacters.REJECT);
  }

  /**
   * Loads the given files, in the given order, as one dataset.
   *
   * @param files LEAF JSON files, raw or gzip-compressed
   * @param unknownCharacters what to do with text characters outside the vocabulary
   * @return the dataset
   * @throws DatasetFormatException if a file is malformed or a user appears in two files
   * @throws IOException if a file cannot be read
   */
  public static LeafDataset loadFiles(List<Path> files, UnknownCharacters unknownCharacters)
      throws IOException {
    Objects.requireNonNull(files, "files");
    Loader loader = new Loader(
        Objects.requireNonNull(unknownCharacters, "unknownCharacters")
            == UnknownCharacters.MAP_TO_OUT_OF_VOCABULARY);
    for (Path file : files) {
      loader.load(Objects.requireNonNull(file, "file"));
    }
    return loader.build();
  }

  /**
   * Returns the sample kind.
   *
   * @return the kind; {@link Kind#NUMERIC} for a dataset without samples
   */
  public Kind kind() {
    return kind;
  }

  /**
   * Returns the number of values or characters per sample.
   *
   * @return e.g. 784 for FEMNIST, 80 for Shakespeare; 0 for a dataset without samples
   */
  public int featureLength() {
    return featureLength;
  }

  /**
   * Returns the number of users.
   *
   * @return at least 0
   */
  public int numUsers() {
    return users.size();
  }

  /**
   * Returns the users in load order.
   *
   * @return an unmodifiable list
   */
  public List<LeafUser> users() {
    return users;
  }

  /**
   * Returns one user by id.
   *
   * @param id the user id as listed in the file
   * @return the user
   * @throws IllegalArgumentException if no user has that id
   */
  public LeafUser user(String id) {
    LeafUser user = byId.get(Objects.requireNonNull(id, "id"));
    if (user == null) {
      throw new IllegalArgumentException("no user '" + id + "' in this dataset of " + users.size()
          + " users");
    }
    return user;
  }

  /**
   * Returns the number of samples over all users.
   *
   * @return the total
   */
  public long totalSamples() {
    long total = 0;
    for (LeafUser user : users) {
      total += user.size();
    }
    return total;
  }

  @Override
  public String toString() {
    return "LeafDataset[kind=" + kind + ", users=" + users.size() + ", samples=" + totalSamples()
        + ", featureLength=" + featureLength + "]";
  }

  /** Accumulates users over files and enforces dataset-wide kind and length. */
  private static final class Loader {

    private Kind kind;
    private int featureLength = -1;
    /** Where the kind and length were first seen, for error messages. */
    private String firstSample;
    private final Map<String, ParsedUser> users = new LinkedHashMap<>();
    private final Map<String, Path> fileOfUser = new HashMap<>();
    private final boolean mapUnknown;

    Loader(boolean mapUnknown) {
      this.mapUnknown = mapUnknown;
    }

    void load(Path file) throws IOException {
      try (JsonReader reader = JsonReader.open(file)) {
        if (reader.peek() != JsonReader.Token.BEGIN_OBJECT) {
          throw reader.error("expected a top-level object with \"users\", \"num_samples\" and"
              + " \"user_data\", found " + JsonReader.describe(reader.peek()));
        }
        reader.beginObject();
        List<String> listed = null;
        List<Integer> numSamples = null;
        Map<String, ParsedUser> data = null;
        while (reader.hasNext()) {
          String name = reader.nextName();
          switch (name) {
            case "users" -> {
              requireFirst(reader, listed, name);
              listed = readUserList(reader);
            }
            case "num_samples" -> {
              requireFirst(reader, numSamples, name);
              numSamples = readCounts(reader);
            }
            case "user_data" -> {
              requireFirst(reader, data, name);
              data = readUserData(reader, file);
            }
            default -> reader.skipValue();
          }
        }
        reader.endObject();
        reader.endDocument();
        checkFile(file, listed, numSamples, data);
      }
    }

    private static void requireFirst(JsonReader reader, Object seen, String name)
        throws DatasetFormatException {
      if (seen != null) {
        throw reader.error("duplicate key \"" + name + "\"");
      }
    }

    private static List<String> readUserList(JsonReader reader) throws IOException {
      requireArray(reader, "\"users\" must be an array of user ids");
      reader.beginArray();
      List<String> listed = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      while (reader.hasNext()) {
        if (reader.peek() != JsonReader.Token.STRING) {
          throw reader.error("entry " + listed.size() + " of \"users\" must be a string, found "
              + JsonReader.describe(reader.peek()));
        }
        String user = reader.nextString();
        if (!seen.add(user)) {
          throw reader.error("user '" + user + "' is listed twice in \"users\"");
        }
        listed.add(user);
      }
      reader.endArray();
      return listed;
    }

    private static List<Integer> readCounts(JsonReader reader) throws IOException {
      requireArray(reader, "\"num_samples\" must be an array of sample counts");
      reader.beginArray();
      List<Integer> counts = new ArrayList<>();
      while (reader.hasNext()) {
        int count = reader.nextInt();
        if (count < 0) {
          throw reader.error("entry " + counts.size() + " of \"num_samples\" is " + count
              + ", expected a count of at least 0");
        }
        counts.add(count);
      }
      reader.endArray();
      return counts;
    }

    private Map<String, ParsedUser> readUserData(JsonReader reader, Path file)
        throws IOException {
      if (reader.peek() != JsonReader.Token.BEGIN_OBJECT) {
        throw reader.error("\"user_data\" must be an object mapping user ids to {\"x\", \"y\"},"
            + " found " + JsonReader.describe(reader.peek()));
      }
      reader.beginObject();
      Map<String, ParsedUser> data = new LinkedHashMap<>();
      while (reader.hasNext()) {
        String user = reader.nextName();
        long offset = reader.tokenOffset();
        if (data.containsKey(user)) {
          throw reader.error("user '" + user + "' appears twice in \"user_data\"");
        }
        data.put(user, readUser(reader, user, offset));
      }
      reader.endObject();
      return data;
    }

    private ParsedUser readUser(JsonReader reader, String user, long offset) throws IOException {
      if (reader.peek() != JsonReader.Token.BEGIN_OBJECT) {
        throw reader.error("\"user_data\" entry of user '" + user
            + "' must be an object {\"x\": [...], \"y\": [...]}, found "
            + JsonReader.describe(reader.peek()));
      }
      reader.beginObject();
      ParsedUser parsed = new ParsedUser(user, offset);
      boolean sawX = false;
      boolean sawY = false;
      while (reader.hasNext()) {
        String name = reader.nextName();
        if (name.equals("x")) {
          if (sawX) {
            throw reader.error("duplicate key \"x\" for user '" + user + "'");
          }
          sawX = true;
          readFeatures(reader, parsed);
        } else if (name.equals("y")) {
          if (sawY) {
            throw reader.error("duplicate key \"y\" for user '" + user + "'");
          }
          sawY = true;
          readLabels(reader, parsed);
        } else {
          reader.skipValue();
        }
      }
      reader.endObject();
      if (!sawX || !sawY) {
        throw new DatasetFormatException(reader.file(), "\"user_data\" entry of user '" + user
            + "' has no \"" + (sawX ? "y" : "x") + "\" array, at byte offset " + offset);
      }
      if (parsed.samples != parsed.labels.size) {
        throw new DatasetFormatException(reader.file(), "user '" + user + "' has "
            + parsed.samples + " samples in \"x\" but " + parsed.labels.size
            + " labels in \"y\", \"user_data\" entry at byte offset " + offset);
      }
      return parsed;
    }

    private static String describe(Kind kind) {
      return kind == Kind.NUMERIC ? "numeric" : "text";
    }

    private void readFeatures(JsonReader reader, ParsedUser parsed) throws IOException {
      requireArray(reader, "\"x\" of user '" + parsed.id + "' must be an array of samples");
      reader.beginArray();
      while (reader.hasNext()) {
        JsonReader.Token token = reader.peek();
        String sample = "sample " + parsed.samples + " of user '" + parsed.id + "'";
        Kind sampleKind;
        if (token == JsonReader.Token.BEGIN_ARRAY) {
          sampleKind = Kind.NUMERIC;
        } else if (token == JsonReader.Token.STRING) {
          sampleKind = Kind.TEXT;
        } else {
          throw reader.error(sample + " must be an array of numbers or a string, found "
              + JsonReader.describe(token));
        }
        // The dataset-wide check also keeps x and y of one user consistent with each other.
        requireKind(reader, sampleKind, sample);
        long start = reader.tokenOffset();
        int length = sampleKind == Kind.NUMERIC ? readNumericSample(reader, parsed, sample)
            : readTextSample(reader, parsed, sample);
        if (featureLength < 0) {
          featureLength = length;
          firstSample = sample;
        } else if (length != featureLength) {
          throw new DatasetFormatException(reader.file(), sample + " has " + length
              + (sampleKind == Kind.NUMERIC ? " values" : " characters") + ", expected "
              + featureLength + " like " + firstSample + ", at byte offset " + start);
        }
        parsed.samples++;
      }
      reader.endArray();
    }

    private void requireKind(JsonReader reader, Kind found, String where)
        throws DatasetFormatException {
      if (kind == null) {
        kind = found;
        firstSample = where;
      } else if (kind != found) {
        throw reader.error(where + " is " + describe(found) + ", but " + firstSample + " is "
            + describe(kind) + "; a dataset holds one kind");
      }
    }

    private static int readNumericSample(JsonReader reader, ParsedUser parsed, String sample)
        throws IOException {
      reader.beginArray();
      int length = 0;
      while (reader.hasNext()) {
        float value = reader.nextFloat();
        if (!Float.isFinite(value)) {
          throw reader.error("value " + length + " of " + sample
              + " does not fit a finite float");
        }
        parsed.features.add(value);
        length++;
      }
      reader.endArray();
      return length;
    }

    private int readTextSample(JsonReader reader, ParsedUser parsed, String sample)
        throws IOException {
      String text = reader.nextString();
      for (int position = 0; position < text.length(); position++) {
        char character = text.charAt(position);
        int index = vocabularyIndex(character);
        if (index < 0 && mapUnknown) {
          index = OUT_OF_VOCABULARY;
        } else if (index < 0) {
          throw reader.error("character " + describeCharacter(character) + " at position "
              + position + " of " + sample + " is not in LEAF's "
              + SHAKESPEARE_VOCABULARY.length() + "-character Shakespeare vocabulary");
        }
        parsed.characters.add(index);
      }
      return text.length();
    }

    private void readLabels(JsonReader reader, ParsedUser parsed) throws IOException {
      requireArray(reader, "\"y\" of user '" + parsed.id + "' must be an array of labels");
      reader.beginArray();
      while (reader.hasNext()) {
        JsonReader.Token token = reader.peek();
        String label = "label " + parsed.labels.size + " of user '" + parsed.id + "'";
        if (token == JsonReader.Token.NUMBER) {
          requireKind(reader, Kind.NUMERIC, label);
          int value = reader.nextInt();
          if (value < 0) {
            throw reader.error(label + " is " + value + ", expected a class of at least 0");
          }
          parsed.labels.add(value);
        } else if (token == JsonReader.Token.STRING) {
          requireKind(reader, Kind.TEXT, label);
          String value = reader.nextString();
          if (value.length() != 1) {
            throw reader.error(label + " is \"" + value + "\" (" + value.length()
                + " characters), expected exactly one character");
          }
          int index = vocabularyIndex(value.charAt(0));
          if (index < 0 && mapUnknown) {
            index = OUT_OF_VOCABULARY;
          } else if (index < 0) {
            throw reader.error(label + " is " + describeCharacter(value.charAt(0))
                + ", which is not in LEAF's " + SHAKESPEARE_VOCABULARY.length()
                + "-character Shakespeare vocabulary");
          }
          parsed.labels.add(index);
        } else {
          throw reader.error(label + " must be an integer or a one-character string, found "
              + JsonReader.describe(token));
        }
      }
      reader.endArray();
    }

    private static String describeCharacter(char character) {
      String code = String.format("U+%04X", (int) character);
      return character >= 0x20 && character != 0x7F ? "'" + character + "' (" + code + ")" : code;
    }

    private static void requireArray(JsonReader reader, String what) throws IOException {
      if (reader.peek() != JsonReader.Token.BEGIN_ARRAY) {
        throw reader.error(what + ", found " + JsonReader.describe(reader.peek()));
      }
    }

    /** Cross-checks one file's three parts and adds its users. */
    private void checkFile(Path file, List<String> listed, List<Integer> numSamples,
        Map<String, ParsedUser> data) throws DatasetFormatException {
      for (String key : List.of("users", "num_samples", "user_data")) {
        Object part = key.equals("users") ? listed : key.equals("num_samples") ? numSamples
            : data;
        if (part == null) {
          throw new DatasetFormatException(file, "the top-level object has no \"" + key
              + "\" key");
        }
      }
      if (listed.size() != numSamples.size()) {
        throw new DatasetFormatException(file, "\"users\" lists " + listed.size()
            + " users but \"num_samples\" has " + numSamples.size() + " entries");
      }
      for (int index = 0; index < listed.size(); index++) {
        String user = listed.get(index);
        ParsedUser parsed = data.get(user);
        if (parsed == null) {
          throw new DatasetFormatException(file, "user '" + user + "' (entry " + index
              + " of \"users\") has no entry in \"user_data\"");
        }
        if (parsed.samples != numSamples.get(index)) {
          throw new DatasetFormatException(file, "\"num_samples\" entry " + index + " says user '"
              + user + "' has " + numSamples.get(index) + " samples, but its \"user_data\" entry"
              + " (at byte offset " + parsed.offset + ") holds " + parsed.samples);
        }
      }
      Set<String> listedSet = new HashSet<>(listed);
      for (ParsedUser parsed : data.values()) {
        // LEAF's split_data.py keeps an empty entry for every user it drops from "users".
        if (!listedSet.contains(parsed.id) && parsed.samples > 0) {
          throw new DatasetFormatException(file, "\"user_data\" has " + parsed.samples
              + " samples for user '" + parsed.id + "' (at byte offset " + parsed.offset
              + ") that \"users\" does not list");
        }
      }
      for (String user : listed) {
        Path earlier = fileOfUser.putIfAbsent(user, file);
        if (earlier != null) {
          throw new DatasetFormatException(file, "user '" + user + "' also appears in "
              + earlier + "; each user must be in one file");
        }
        users.put(user, data.get(user));
      }
    }

    LeafDataset build() {
      Kind datasetKind = kind == null ? Kind.NUMERIC : kind;
      int length = Math.max(featureLength, 0);
      List<LeafUser> built = new ArrayList<>(users.size());
      for (ParsedUser parsed : users.values()) {
        int[] labels = parsed.labels.toArray();
        built.add(datasetKind == Kind.NUMERIC
            ? LeafUser.numeric(parsed.id, length, parsed.features.toArray(), labels)
            : LeafUser.text(parsed.id, length, parsed.characters.toArray(), labels));
      }
      return new LeafDataset(datasetKind, length, built);
    }
  }

  /** One user's samples as parsed, before the file-level checks. */
  private static final class ParsedUser {

    final String id;
    final long offset;
    int samples;
    final FloatList features = new FloatList();
    final IntList characters = new IntList();
    final IntList labels = new IntList();

    ParsedUser(String id, long offset) {
      this.id = id;
      this.offset = offset;
    }
  }

  /** A growable float array. */
  private static final class FloatList {

    private float[] values = new float[64];
    private int size;

    void add(float value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    float[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }

  /** A growable int array. */
  private static final class IntList {

    private int[] values = new int[16];
    int size;

    void add(int value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    int[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }
}
