package io.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.ModelWeights;
import io.tributary.core.model.TensorCodec;
import io.tributary.core.nn.DenseNetwork;
import io.tributary.crypto.dp.DpClipping;
import io.tributary.crypto.dp.DpSpec;
import io.tributary.crypto.dp.PrivateStrategy;
import io.tributary.crypto.dp.RandomBits;
import io.tributary.proto.v1.Task;
import io.tributary.proto.v1.UpdateChunk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential privacy on the server: the {@code dp} keys in {@link ServerConfig} (their YAML form is
 * in {@link ServerConfigLoaderTest}), the combinations refused naming their keys, and over real gRPC
 * with hand-driven clients the server-side clip of central DP, the unclipped bit adaptive clipping
 * requires, and the privacy ledger an {@code initial-model} needs.
 */
class PrivateServerTest {
  private static final DenseNetwork NET = DenseNetwork.of("mlp:6-5-3", 6, 5, 3);
  private static final ModelLayout LAYOUT = NET.layout();

  @TempDir Path dir;

  private static ServerConfig.Builder central(int clientsPerRound, int totalClients) {
    return ServerConfig.builder().clientsPerRound(clientsPerRound).totalClients(totalClients)
        .dpSetting("dp", "central").dpSetting("dp-noise-multiplier", 1.0);
  }

  /** Asserts that building fails with a message holding every one of {@code parts}. */
  private static void refused(UnaryOperator<ServerConfig.Builder> settings, String... parts) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> settings.apply(ServerConfig.builder()).build());
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "message lacks " + p + ": " + e.getMessage());
    }
  }

  @Test
  void build_central_acceptedAndDescribed() {
    ServerConfig c = central(10, 1000).dpSetting("dp-clip", 0.5).dpSetting("dp-epsilon-budget", 8.0).build();
    assertTrue(c.dp().enabled());
    assertEquals(DpSpec.Placement.CENTRAL, c.dp().placement());
    assertEquals(1.0, c.dp().noiseMultiplier());
    assertEquals(0.5, c.dp().clip());
    assertEquals(1000, c.totalClients());
    Map<String, Object> d = c.describe();
    assertEquals("central", d.get("dp"));
    assertEquals(1.0, d.get("dp-noise-multiplier"));
    assertEquals(0.5, d.get("dp-clip"));
    assertEquals(8.0, d.get("dp-epsilon-budget"));
    assertEquals(1000, d.get("total-clients"));
    assertEquals("off", ServerConfig.builder().build().describe().get("dp"));
    assertFalse(ServerConfig.builder().build().dp().enabled());
  }

  @Test
  void quorum_withDp_isAtMostTheSampledCohort() {
    ServerConfig dp = central(10, 1000).minReports(6).build();
    assertEquals(3, dp.quorum(3), "a small Poisson cohort completes when all of it reports");
    assertEquals(6, dp.quorum(14));
    ServerConfig plain = ServerConfig.builder().clientsPerRound(10).minReports(6).build();
    assertEquals(6, plain.quorum(3));
  }

  @Test
  void build_badDpSettings_refusedNamingKeys() {
    refused(b -> b.clientsPerRound(10).dpSetting("dp", "central").dpSetting("dp-noise-multiplier", 1.0),
        "'total-clients'", "required");
    refused(b -> b.dpSetting("dp-noise-multiplier", -1.0), "'dp-noise-multiplier'");
    refused(b -> central(10, 100).dpSetting("dp", "distributed"), "'dp: distributed'", "'secure-aggregation: true'");
    refused(b -> central(10, 100).strategySetting("aggregator", "median"), "'aggregator: median'", "'dp'");
    refused(b -> central(10, 100).strategySetting("strategy", "fednova"), "'strategy: fednova'");
    refused(b -> central(10, 100).strategy("scaffold"), "'strategy: scaffold'");
    refused(b -> central(10, 100).clipNorm(1.0), "'clip-norm'");
    // q = clients-per-round / total-clients above 1
    refused(b -> central(10, 5), "'total-clients'", "'clients-per-round'");
    // δ not below 1/N
    refused(b -> central(10, 100).dpSetting("dp-delta", 0.02), "'dp-delta'", "1/N");
    refused(b -> b.clientsPerRound(10).totalClients(100).dpSetting("dp", "central"), "'dp-noise-multiplier'");
    refused(b -> b.dpSetting("dp-clip", 0.5), "'dp-clip'", "'dp' is off");
    refused(b -> central(10, 100).dpSetting("dp-weighting", "capped").dpSetting("dp-max-weight", 50L),
        "'dp-weighting: capped'", "total weight");
    refused(b -> central(10, 100).secureAggregation(true).dpSetting("dp-adaptive-clip", true)
        .dpSetting("dp-clip-count-stddev", 5.0), "'dp-adaptive-clip'", "'secure-aggregation'");
    refused(b -> central(10, 100).dpSetting("dp", "local").secureAggregation(true), "'dp: local'");
  }

  @Test
  void build_dpWithSecureAggregation_sizesTheQuantizerForTheWholeFederation() {
    ServerConfig c = central(10, 3000).secureAggregation(true).secAggMaxWeight(1).build();
    assertEquals(ServerConfig.automaticLevels(3000, 1), c.secAggQuantizer().levels());
  }

  private static float[] delta(int k, double norm) {
    float[] d = new float[LAYOUT.totalElements()];
    double s = 0;
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) Math.sin(0.7 * i + k);
      s += (double) d[i] * d[i];
    }
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) (d[i] * norm / Math.sqrt(s));
    }
    return d;
  }

  /** The messages of an upload whose trailer also carries {@code metrics}. */
  private static List<UpdateChunk> withMetrics(List<UpdateChunk> messages, Map<String, Double> metrics) {
    List<UpdateChunk> out = new ArrayList<>(messages);
    UpdateChunk last = out.remove(out.size() - 1);
    out.add(last.toBuilder().setTrailer(last.getTrailer().toBuilder().putAllMetrics(metrics)).build());
    return out;
  }

  /**
   * Central DP, z = 0, C = 0.5: a client that did not clip (norm 4) is clipped by the server, so the
   * model moves by (clip(Δ_0) + Δ_1) / 2 with Δ_1 of norm 0.25 left alone.
   */
  @Test
  void central_unclippedUpload_clippedByTheServer() throws Exception {
    ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).rounds(1).clientsPerRound(2)
        .totalClients(2).roundDeadline(Duration.ofSeconds(60)).model(NET).seed(42).dpSetting("dp", "central")
        .dpSetting("dp-noise-multiplier", 0).dpSetting("dp-clip", 0.5).build();
    try (FlServer server = FlServer.builder(config).build().start()) {
      ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        List<RawClient> clients = List.of(new RawClient(channel, "a"), new RawClient(channel, "b"));
        clients.forEach(RawClient::checkIn);
        double[] norms = {4, 0.25};
        for (int k = 0; k < 2; k++) {
          RawClient c = clients.get(k);
          Task task = c.awaitTask();
          assertEquals(0.5, io.tributary.proto.convert.WireConversions.fromWire(task.getConfigMap())
              .get(DpClipping.CLIP), "the task carries the clip norm");
          c.send(c.messages(task, LAYOUT, delta(k, norms[k]), 10, 64));
        }
        assertTrue(server.awaitRounds(30_000), server.coordinator().finishReason());
        ModelWeights x0 = NET.initialize(42);
        float[] big = delta(0, 4);
        float[] small = delta(1, 0.25);
        double scale = 0.5 / DpClipping.norm(big, 0, big.length);
        for (int i = 0; i < big.length; i++) {
          assertEquals(x0.get(i) + (big[i] * scale + small[i]) / 2, server.globalModel().get(i), 1e-6,
              "parameter " + i);
        }
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Adaptive clipping needs every update's unclipped bit: an upload without {@code dp_unclipped}, or
   * with a value other than 0 and 1, is refused with INVALID_ARGUMENT; with the bit it is accepted.
   */
  @Test
  void adaptiveClip_uploadWithoutItsBit_refused() throws Exception {
    ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).rounds(1).clientsPerRound(1)
        .totalClients(1).roundDeadline(Duration.ofSeconds(60)).model(NET).seed(42).dpSetting("dp", "central")
        .dpSetting("dp-noise-multiplier", 0).dpSetting("dp-clip", 0.5).dpSetting("dp-adaptive-clip", true)
.build();
    try (FlServer server = FlServer.builder(config).build().start()) {
      ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        RawClient c = new RawClient(channel, "a");
        c.checkIn();
        Task task = c.awaitTask();
        List<UpdateChunk> plain = c.messages(task, LAYOUT, delta(0, 0.25), 10, 64);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> c.send(plain));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains(DpClipping.UNCLIPPED), e.getStatus().toString());
        e = assertThrows(StatusRuntimeException.class,
            () -> c.send(withMetrics(plain, Map.of(DpClipping.UNCLIPPED, 0.5))));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        c.send(withMetrics(plain, Map.of(DpClipping.UNCLIPPED, 1.0)));
        assertTrue(server.awaitRounds(30_000), server.coordinator().finishReason());
        assertEquals(1.0, server.history().get(0).clientMetrics().get(DpClipping.UNCLIPPED));
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * A DP run from an {@code initial-model} needs the privacy ledger saved next to it: without one the
   * server refuses to start (ε would restart from 0); with one, the accountant and clip norm go on
   * from it.
   */
  @Test
  void initialModel_withDp_needsItsPrivacyLedger() throws Exception {
    Path model = dir.resolve("model.bin");
    Files.write(model, TensorCodec.toBytes(NET.initialize(1).toArray()));
    ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).clientsPerRound(2).totalClients(20)
        .model(NET).initialModel(model).dpSetting("dp", "central").dpSetting("dp-noise-multiplier", 1.0).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FlServer.readPrivacyLedger(config));
    assertTrue(e.getMessage().contains("'initial-model'"), e.getMessage());
    assertTrue(e.getMessage().contains("model.bin.dp-ledger"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> FlServer.builder(config).build());

    PrivateStrategy earlier = new PrivateStrategy(FlServer.strategyFor(config), config.dp(), 20, 2, 20,
        LAYOUT.totalElements(), r -> RandomBits.seeded(1, "test"));
    String ledger = earlier.ledger().replace("clip=0.1|", "clip=0.25|");
    Files.writeString(FlServer.privacyLedgerPath(model), ledger + "\n");
    FlServer server = FlServer.builder(config).build();
    try {
      assertEquals(ledger, server.coordinator().privacyLedger().orElseThrow());
    } finally {
      server.close();
    }
    ServerConfig plain = ServerConfig.builder().model(NET).initialModel(model).build();
    assertTrue(FlServer.readPrivacyLedger(plain).isEmpty(), "without dp no ledger is read");
  }
}
