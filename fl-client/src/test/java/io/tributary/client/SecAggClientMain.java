package io.tributary.client;

import java.time.Duration;

/**
 * A client process for {@link SecureAggregationEndToEndTest}: runs one {@link FlClient} with secure
 * aggregation and a scripted trainer. Arguments: port, client index, and {@code hang} for a client
 * that, once it has sent its shares (training comes after them), prints {@code TRAINING} and hangs so
 * that the test can kill it mid-round; otherwise it prints {@code DONE <tasks>} when the server says
 * training is over.
 */
public final class SecAggClientMain {
  private SecAggClientMain() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int index = Integer.parseInt(args[1]);
    boolean hang = args.length > 2 && args[2].equals("hang");
    Runnable crash = !hang ? null : () -> {
      System.out.println("TRAINING");
      System.out.flush();
      try {
        Thread.sleep(Long.MAX_VALUE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    try (FlClient client = FlClient.builder().target("127.0.0.1:" + port).clientId("sa" + index)
        .trainer(new SecureAggregationEndToEndTest.ScriptedTrainer(index, crash)).secureAggregation(true)
        .initialBackoff(Duration.ofMillis(50)).maxBackoff(Duration.ofMillis(500)).build()) {
      FlClient.Outcome outcome = client.run();
      System.out.println("DONE " + outcome.tasksCompleted());
    }
  }
}
