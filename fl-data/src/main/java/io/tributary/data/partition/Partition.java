package io.tributary.data.partition;

import java.util.Arrays;
import java.util.Objects;

/**
 * An assignment of dataset sample indices to federated clients: client {@code c} trains on the samples
 * {@link #indices(int) indices(c)}.
 *
 * <p>Immutable and thread-safe: the index lists are copied on the way in and on the way out. A
 * partition does not itself require the lists to be disjoint or to cover the dataset; the
 * {@link Partitioners} functions guarantee both.
 */
public final class Partition {

  private final int[][] clientIndices;

  private Partition(int[][] clientIndices) {
    this.clientIndices = clientIndices;
  }

  /**
   * Creates a partition from per-client index lists, copying them.
   *
   * @param clientIndices one array of non-negative sample indices per client; at least one client
   * @return the partition
   * @throws IllegalArgumentException if there are no clients or an index is negative
   * @throws NullPointerException if the outer array or a client's array is null
   */
  public static Partition of(int[][] clientIndices) {
    Objects.requireNonNull(clientIndices, "clientIndices");
    if (clientIndices.length == 0) {
      throw new IllegalArgumentException("a partition needs at least one client");
    }
    int[][] copy = new int[clientIndices.length][];
    for (int client = 0; client < clientIndices.length; client++) {
      int[] indices = Objects.requireNonNull(clientIndices[client],
          "indices of client " + client);
      for (int index : indices) {
        if (index < 0) {
          throw new IllegalArgumentException(
              "client " + client + " has negative sample index " + index);
        }
      }
      copy[client] = indices.clone();
    }
    return new Partition(copy);
  }

  /** Takes ownership of freshly built arrays; for {@link Partitioners}, avoiding a redundant copy. */
  static Partition wrap(int[][] clientIndices) {
    return new Partition(clientIndices);
  }

  /**
   * Returns the number of clients.
   *
   * @return at least 1
   */
  public int numClients() {
    return clientIndices.length;
  }

  /**
   * Returns a copy of one client's sample indices.
   *
   * @param client client number in {@code 0..numClients()-1}
   * @return a fresh array the caller may modify
   * @throws IndexOutOfBoundsException if {@code client} is out of range
   */
  public int[] indices(int client) {
    return clientIndices[Objects.checkIndex(client, clientIndices.length)].clone();
  }

  /**
   * Returns how many samples one client holds.
   *
   * @param client client number in {@code 0..numClients()-1}
   * @return the client's sample count
   * @throws IndexOutOfBoundsException if {@code client} is out of range
   */
  public int size(int client) {
    return clientIndices[Objects.checkIndex(client, clientIndices.length)].length;
  }

  /**
   * Returns the total number of assigned samples over all clients (counting duplicates).
   *
   * @return the sum of all client sizes
   */
  public long totalSize() {
    long total = 0;
    for (int[] indices : clientIndices) {
      total += indices.length;
    }
    return total;
  }

  /**
   * Counts each client's samples per label.
   *
   * @param labels the label of every sample in the dataset
   * @param numClasses number of classes; labels must be in {@code 0..numClasses-1}
   * @return {@code [client][label]} counts
   * @throws IllegalArgumentException if {@code numClasses} is not positive, an index is beyond
   *     {@code labels}, or a label is out of range
   */
  public int[][] labelHistogram(int[] labels, int numClasses) {
    Objects.requireNonNull(labels, "labels");
    if (numClasses <= 0) {
      throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
    }
    int[][] histogram = new int[clientIndices.length][numClasses];
    for (int client = 0; client < clientIndices.length; client++) {
      for (int index : clientIndices[client]) {
        if (index >= labels.length) {
          throw new IllegalArgumentException("client " + client + " has sample index "
              + index + " but labels has only " + labels.length + " entries");
        }
        int label = labels[index];
        if (label < 0 || label >= numClasses) {
          throw new IllegalArgumentException("label of sample " + index + " is " + label
              + ", expected a class in 0.." + (numClasses - 1));
        }
        histogram[client][label]++;
      }
    }
    return histogram;
  }

  /**
   * Counts each client's samples per label, reading bytes as unsigned (MNIST-style labels).
   *
   * @param labels the label of every sample in the dataset
   * @param numClasses number of classes
   * @return {@code [client][label]} counts
   * @throws IllegalArgumentException as for {@link #labelHistogram(int[], int)}
   */
  public int[][] labelHistogram(byte[] labels, int numClasses) {
    return labelHistogram(Partitioners.toUnsignedInts(labels), numClasses);
  }

  /**
   * Renders a table of per-client sample counts, number of distinct labels and label histograms,
   * followed by a total row, for logs and experiment reports.
   *
   * <p>Example (two clients, three classes):
   * <pre>
   * client samples  labels       0       1       2
   *      0       4       2       2       2       0
   *      1       2       1       0       0       2
   *  total       6       3       2       2       2
   * </pre>
   *
   * @param labels the label of every sample in the dataset
   * @param numClasses number of classes
   * @return the table, lines separated by {@code \n}, ending with a newline
   * @throws IllegalArgumentException as for {@link #labelHistogram(int[], int)}
   */
  public String summary(int[] labels, int numClasses) {
    int[][] histogram = labelHistogram(labels, numClasses);
    int[] totals = new int[numClasses];
    for (int[] counts : histogram) {
      for (int label = 0; label < numClasses; label++) {
        totals[label] += counts[label];
      }
    }
    // One width for every numeric column keeps the table aligned whatever the magnitudes.
    int width = Math.max("samples".length(), Long.toString(totalSize()).length()) + 1;
    StringBuilder table = new StringBuilder();
    table.append(String.format("%6s%" + width + "s%" + width + "s", "client", "samples",
        "labels"));
    for (int label = 0; label < numClasses; label++) {
      table.append(String.format("%" + width + "d", label));
    }
    table.append('\n');
    for (int client = 0; client < histogram.length; client++) {
      appendRow(table, Integer.toString(client), clientIndices[client].length, histogram[client],
          width);
    }
    appendRow(table, "total", totalSize(), totals, width);
    return table.toString();
  }

  /**
   * Renders the summary table for byte labels read as unsigned (MNIST-style).
   *
   * @param labels the label of every sample in the dataset
   * @param numClasses number of classes
   * @return the table, as for {@link #summary(int[], int)}
   * @throws IllegalArgumentException as for {@link #labelHistogram(int[], int)}
   */
  public String summary(byte[] labels, int numClasses) {
    return summary(Partitioners.toUnsignedInts(labels), numClasses);
  }

  private static void appendRow(StringBuilder table, String name, long samples, int[] counts,
      int width) {
    int distinct = 0;
    for (int count : counts) {
      if (count > 0) {
        distinct++;
      }
    }
    table.append(String.format("%6s%" + width + "d%" + width + "d", name, samples, distinct));
    for (int count : counts) {
      table.append(String.format("%" + width + "d", count));
    }
    table.append('\n');
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Partition that && Arrays.deepEquals(clientIndices, that.clientIndices);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(clientIndices);
  }

  @Override
  public String toString() {
    int smallest = Integer.MAX_VALUE;
    int largest = 0;
    for (int[] indices : clientIndices) {
      smallest = Math.min(smallest, indices.length);
      largest = Math.max(largest, indices.length);
    }
    return "Partition[clients=" + clientIndices.length + ", samples=" + totalSize()
        + ", clientSizes=" + smallest + ".." + largest + "]";
  }
}
