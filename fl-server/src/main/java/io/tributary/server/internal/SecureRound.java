package io.tributary.server.internal;

import io.grpc.Status;
import io.grpc.StatusException;
import io.tributary.crypto.secagg.RoundSetup;
import io.tributary.crypto.secagg.SecAggException;
import io.tributary.crypto.secagg.SecAggMessages.ConsistencySignature;
import io.tributary.crypto.secagg.SecAggMessages.EncryptedShare;
import io.tributary.crypto.secagg.SecAggMessages.EncryptedShares;
import io.tributary.crypto.secagg.SecAggMessages.KeyAdvertisement;
import io.tributary.crypto.secagg.SecAggMessages.MaskedInput;
import io.tributary.crypto.secagg.SecAggMessages.SurvivorSet;
import io.tributary.crypto.secagg.SecAggMessages.UnmaskRequest;
import io.tributary.crypto.secagg.SecAggMessages.UnmaskResponse;
import io.tributary.crypto.secagg.SecAggServer;
import io.tributary.proto.convert.SecAggWire;
import io.tributary.proto.v1.ProtocolVersion;
import io.tributary.proto.v1.SecAggAdvertisements;
import io.tributary.proto.v1.SecAggEncryptedShares;
import io.tributary.proto.v1.SecAggReply;
import io.tributary.proto.v1.SecAggStage;
import io.tributary.proto.v1.SecAggSurvivorSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * One secure aggregation round on the server: the {@link SecAggServer} state machine, driven over
 * gRPC. Clients' messages arrive on gRPC threads ({@link #submit}), each of which then waits until
 * the round's thread closes the stage ({@link #run}) and answers with the client's input for the next
 * stage. A stage closes when every client expected in it has answered, or at its deadline: the
 * advertisements, shares, consistency signatures and unmask responses get {@code secagg-stage-timeout}
 * each after the previous stage closed; the masked inputs, which need the download and the training,
 * get until the round's deadline (and at least a stage timeout). Clients that vanish are missing from
 * the next stage's set; the round fails closed when too few are left.
 *
 * <p>Memory: the SecAgg server's running sum, O(model), plus one masked input per client being
 * received (a masked input is folded as soon as it is complete, never kept).
 *
 * <p>Thread-safe: state is guarded by this object's monitor. Lock order: the coordinator's monitor,
 * if held, before this one; nothing here calls the coordinator.
 */
final class SecureRound {
  private static final SecAggStage[] ORDER = {
    SecAggStage.SEC_AGG_STAGE_ADVERTISE_KEYS,
    SecAggStage.SEC_AGG_STAGE_SHARE_KEYS,
    SecAggStage.SEC_AGG_STAGE_MASKED_INPUT,
    SecAggStage.SEC_AGG_STAGE_CONSISTENCY_CHECK,
    SecAggStage.SEC_AGG_STAGE_UNMASKING
  };

  private final RoundSetup setup;
  private final SecAggServer server;
  private final Clock clock;
  private final long stageTimeoutMs;
  private final long roundDeadlineUnixMs;

  // Guarded by this.
  private int open; // index into ORDER of the stage collecting messages; ORDER.length when all closed
  private final Set<String> answered = new HashSet<>();
  private Set<String> expected;
  private Map<String, List<KeyAdvertisement>> advertisements;
  private Map<String, List<EncryptedShare>> inboxes;
  private SurvivorSet survivors;
  private Map<String, UnmaskRequest> unmaskRequests;
  private String failure;

  SecureRound(RoundSetup setup, int threads, Clock clock, long stageTimeoutMs, long roundDeadlineUnixMs) {
    this.setup = setup;
    this.server = new SecAggServer(setup, threads);
    this.clock = clock;
    this.stageTimeoutMs = stageTimeoutMs;
    this.roundDeadlineUnixMs = roundDeadlineUnixMs;
    this.expected = new HashSet<>(setup.clients());
  }

  RoundSetup setup() {
    return setup;
  }

  /** Whether {@code client} may still start the round: keys are being collected and it sent none. */
  synchronized boolean canJoin(String client) {
    return failure == null && open == 0 && !answered.contains(client);
  }

  /** The survivor set U3: the clients whose masked inputs are in the sum; empty before it is known. */
  synchronized List<String> survivors() {
    return survivors == null ? List.of() : survivors.survivors();
  }

  /**
   * A client's message of {@code stage}; blocks until the stage closes and returns the client's input
   * for the next one (the unmask response is answered at once).
   *
   * @param message the stage's record ({@link KeyAdvertisement}, {@link EncryptedShares}, {@link
   *     MaskedInput}, {@link ConsistencySignature} or {@link UnmaskResponse})
   * @throws StatusException FAILED_PRECONDITION when the round is at another stage, the client did not
   *     take part in the previous one, or the round failed; INVALID_ARGUMENT with the state machine's
   *     reason when the message fails its checks (bad signature, replay, ...): the round goes on
   */
  SecAggReply submit(String client, SecAggStage stage, Object message) throws StatusException {
    int index = indexOf(stage);
    synchronized (this) {
      if (failure != null) {
        throw Status.FAILED_PRECONDITION.withDescription("secure aggregation round " + setup.round()
            + " failed: " + failure).asException();
      }
      if (index != open) {
        throw Status.FAILED_PRECONDITION.withDescription("secure aggregation round " + setup.round() + " is at "
            + (open < ORDER.length ? name(ORDER[open]) : "its end") + ", not " + name(stage)).asException();
      }
      if (!expected.contains(client)) {
        throw Status.FAILED_PRECONDITION.withDescription("client '" + client + "' is not part of " + name(stage)
            + " of round " + setup.round() + ": it missed an earlier stage").asException();
      }
      try {
        switch (stage) {
          case SEC_AGG_STAGE_ADVERTISE_KEYS -> server.receiveAdvertisement((KeyAdvertisement) message);
          case SEC_AGG_STAGE_SHARE_KEYS -> server.receiveShares((EncryptedShares) message);
          case SEC_AGG_STAGE_MASKED_INPUT -> server.receiveMaskedInput((MaskedInput) message);
          case SEC_AGG_STAGE_CONSISTENCY_CHECK -> server.receiveConsistencySignature((ConsistencySignature) message);
          case SEC_AGG_STAGE_UNMASKING -> server.receiveUnmaskResponse((UnmaskResponse) message);
          default -> throw new IllegalStateException(stage.name());
        }
      } catch (SecAggException e) {
        throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asException();
      }
      answered.add(client);
      notifyAll();
      SecAggReply.Builder reply = SecAggReply.newBuilder()
          .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
          .setRoundId(setup.round());
      if (stage == SecAggStage.SEC_AGG_STAGE_UNMASKING) {
        return reply.build();
      }
      while (open == index && failure == null) {
        try {
          wait(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw Status.CANCELLED.withDescription("interrupted").asException();
        }
      }
      if (failure != null) {
        throw Status.FAILED_PRECONDITION.withDescription("secure aggregation round " + setup.round()
            + " failed: " + failure).asException();
      }
      reply.setNextStage(ORDER[index + 1]);
      switch (stage) {
        case SEC_AGG_STAGE_ADVERTISE_KEYS -> {
          SecAggAdvertisements.Builder b = SecAggAdvertisements.newBuilder();
          for (KeyAdvertisement a : advertisements.getOrDefault(client, List.of())) {
            b.addAdvertisements(SecAggWire.toWire(a));
          }
          reply.setAdvertisements(b);
        }
        case SEC_AGG_STAGE_SHARE_KEYS -> reply.setInbox(SecAggEncryptedShares.newBuilder()
            .addAllShares(SecAggWire.sharesToWire(inboxes.getOrDefault(client, List.of()))));
        case SEC_AGG_STAGE_MASKED_INPUT -> reply.setSurvivors(SecAggSurvivorSet.newBuilder()
            .addAllSurvivors(survivors.survivors()));
        case SEC_AGG_STAGE_CONSISTENCY_CHECK -> {
          UnmaskRequest r = unmaskRequests.get(client);
          if (r == null) {
            throw Status.FAILED_PRECONDITION.withDescription("no unmask request for '" + client + "'").asException();
          }
          reply.setUnmaskRequest(SecAggWire.toWire(r));
        }
        default -> throw new IllegalStateException(stage.name());
      }
      return reply.build();
    }
  }

  /**
   * Runs the stages on the round's thread and returns Σ of the survivors' encoded inputs modulo 2^32.
   *
   * @throws SecAggException when the round fails closed (too few clients at some stage, inconsistent
   *     shares); no sum is released
   * @throws InterruptedException when stopped
   */
  int[] run(BooleanSupplier stopRequested) throws SecAggException, InterruptedException {
    long stageStart = clock.millis();
    try {
      for (int i = 0; i < ORDER.length; i++) {
        long deadline = ORDER[i] == SecAggStage.SEC_AGG_STAGE_MASKED_INPUT
            ? Math.max(roundDeadlineUnixMs, stageStart + stageTimeoutMs)
            : stageStart + stageTimeoutMs;
        synchronized (this) {
          while (!stopRequested.getAsBoolean() && !answered.containsAll(expected)) {
            long left = deadline - clock.millis();
            if (left <= 0) {
              break;
            }
            wait(Math.min(left, 100));
          }
          if (stopRequested.getAsBoolean()) {
            throw new InterruptedException("stop requested");
          }
          close(ORDER[i]);
          answered.clear();
          open = i + 1;
          notifyAll();
        }
        stageStart = clock.millis();
      }
      return server.finish();
    } catch (SecAggException e) {
      synchronized (this) {
        failure = e.getMessage();
        notifyAll();
      }
      throw e;
    } catch (InterruptedException e) {
      synchronized (this) {
        failure = "the server stopped";
        notifyAll();
      }
      throw e;
    }
  }

  /** Closes a stage in the state machine and sets who is expected in the next. Holds this. */
  private void close(SecAggStage stage) throws SecAggException {
    switch (stage) {
      case SEC_AGG_STAGE_ADVERTISE_KEYS -> {
        advertisements = server.closeAdvertisements();
        expected = new HashSet<>(advertisements.keySet());
      }
      case SEC_AGG_STAGE_SHARE_KEYS -> {
        inboxes = server.closeShares();
        expected = new HashSet<>(inboxes.keySet());
      }
      case SEC_AGG_STAGE_MASKED_INPUT -> {
        survivors = server.closeMaskedInputs();
        expected = new HashSet<>(survivors.survivors());
      }
      case SEC_AGG_STAGE_CONSISTENCY_CHECK -> {
        unmaskRequests = server.closeConsistency();
        expected = new HashSet<>(unmaskRequests.keySet());
      }
      case SEC_AGG_STAGE_UNMASKING -> expected = Set.of();
      default -> throw new IllegalStateException(stage.name());
    }
  }

  /** Marks the round failed (e.g. when the coordinator abandons it), releasing waiting clients. */
  synchronized void abandon(String reason) {
    if (failure == null) {
      failure = reason;
    }
    notifyAll();
  }

  /** The clients of the cohort that took no part past the given list, for failure reports. */
  synchronized List<String> missing() {
    List<String> out = new ArrayList<>();
    Set<String> kept = survivors == null ? Set.of() : new HashSet<>(survivors.survivors());
    for (String c : setup.clients()) {
      if (!kept.contains(c)) {
        out.add(c);
      }
    }
    return out;
  }

  private static int indexOf(SecAggStage stage) throws StatusException {
    for (int i = 0; i < ORDER.length; i++) {
      if (ORDER[i] == stage) {
        return i;
      }
    }
    throw Status.INVALID_ARGUMENT.withDescription("unknown secure aggregation stage " + stage).asException();
  }

  static String name(SecAggStage stage) {
    return stage.name().substring("SEC_AGG_STAGE_".length()).toLowerCase(Locale.ROOT).replace('_', ' ');
  }
}
