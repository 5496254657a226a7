package io.tributary.simulations.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * SCAFFOLD's client control variates c_i in a simulation: one vector of the model's size per client
 * that has taken part, absent (c_i = 0) for the others — memory O(participants × model), never
 * O(population × model).
 *
 * <p>The first vectors live on the heap; once they would take more than {@code heapBytes}, later
 * clients' vectors go to a scratch file (one fixed-size slot per client, read and written with
 * positional I/O; the operating system's page cache keeps hot slots in memory). So a run with many
 * participants and a large model degrades to disk speed instead of running out of heap.
 *
 * <p>Thread-safe: workers of one round touch different clients; slot allocation and the maps are
 * synchronised. {@link #close()} deletes the scratch file.
 */
final class ControlVariateStore implements AutoCloseable {
  private final int parameters;
  private final long heapLimit;
  private final Map<Integer, float[]> heap = new HashMap<>();
  private final Map<Integer, Long> slots = new HashMap<>();
  private FileChannel file;
  private Path path;

  /**
   * @param parameters values per vector
   * @param heapBytes the most bytes of vectors kept on the heap before spilling to a file
   */
  ControlVariateStore(int parameters, long heapBytes) {
    this.parameters = parameters;
    this.heapLimit = heapBytes;
  }

  /** Client {@code client}'s c_i (a copy), or null when it never took part (c_i = 0). */
  float[] get(int client) {
    Long slot;
    synchronized (this) {
      float[] onHeap = heap.get(client);
      if (onHeap != null) {
        return onHeap.clone();
      }
      slot = slots.get(client);
    }
    if (slot == null) {
      return null;
    }
    ByteBuffer buffer = ByteBuffer.allocate(4 * parameters).order(ByteOrder.LITTLE_ENDIAN);
    try {
      long position = slot * 4L * parameters;
      while (buffer.hasRemaining()) {
        if (file.read(buffer, position + buffer.position()) < 0) {
          throw new IOException("control variate file ends inside client " + client + "'s slot");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading client " + client + "'s control variate from " + path, e);
    }
    buffer.flip();
    float[] out = new float[parameters];
    buffer.asFloatBuffer().get(out);
    return out;
  }

  /** Stores {@code values} (copied) as client {@code client}'s c_i. */
  void put(int client, float[] values) {
    if (values.length != parameters) {
      throw new IllegalArgumentException(
          "control variate has " + values.length + " values, the model has " + parameters);
    }
    long slot;
    synchronized (this) {
      if (heap.containsKey(client) || (!slots.containsKey(client) && fitsOnHeap())) {
        heap.put(client, values.clone());
        return;
      }
      slot = slots.computeIfAbsent(client, c -> (long) slots.size());
      openFile();
    }
    ByteBuffer buffer = ByteBuffer.allocate(4 * parameters).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asFloatBuffer().put(values);
    try {
      long position = slot * 4L * parameters;
      while (buffer.hasRemaining()) {
        file.write(buffer, position + buffer.position());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing client " + client + "'s control variate to " + path, e);
    }
  }

  /** Clients with a stored c_i. */
  synchronized int participants() {
    return heap.size() + slots.size();
  }

  /** Clients whose c_i is in the scratch file. */
  synchronized int spilled() {
    return slots.size();
  }

  private boolean fitsOnHeap() {
    return (heap.size() + 1L) * 4L * parameters <= heapLimit;
  }

  private void openFile() {
    if (file != null) {
      return;
    }
    try {
      path = Files.createTempFile("tributary-scaffold-", ".f32");
      file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
          StandardOpenOption.DELETE_ON_CLOSE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a scratch file for control variates", e);
    }
  }

  @Override
  public synchronized void close() {
    heap.clear();
    slots.clear();
    if (file != null) {
      try {
        file.close();
        Files.deleteIfExists(path);
      } catch (IOException e) {
        throw new UncheckedIOException("closing the control variate file " + path, e);
      } finally {
        file = null;
      }
    }
  }
}
