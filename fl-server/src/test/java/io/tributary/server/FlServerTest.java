package io.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.core.model.ModelWeights;
import io.tributary.core.model.TensorCodec;
import io.tributary.core.nn.DenseNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlServerTest {
  private static final DenseNetwork NET = DenseNetwork.of("mlp:3-2", 3, 2);

  @TempDir Path dir;

  @Test
  void build_initialModelFile_isTheStartingModel() throws Exception {
    ModelWeights w = NET.initialize(9);
    Path file = dir.resolve("m.f32");
    Files.write(file, TensorCodec.toBytes(w.toArray()));
    ServerConfig config = ServerConfig.builder().port(0).host("127.0.0.1").model(NET).initialModel(file).build();
    FlServer server = FlServer.builder(config).build();
    assertEquals(w, server.globalModel());
    assertEquals(0, server.coordinator().modelVersion());
  }

  @Test
  void readModel_wrongSizeOrNaN_rejectedNamingTheFile() throws Exception {
    Path shortFile = dir.resolve("short.f32");
    Files.write(shortFile, new byte[12]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FlServer.readModel(NET.layout(), shortFile));
    assertTrue(e.getMessage().contains("short.f32 has 12 bytes, the model needs 32"), e.getMessage());
    float[] values = new float[8];
    values[5] = Float.NaN;
    Path nan = dir.resolve("nan.f32");
    Files.write(nan, TensorCodec.toBytes(values));
    e = assertThrows(IllegalArgumentException.class, () -> FlServer.readModel(NET.layout(), nan));
    assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> FlServer.readModel(NET.layout(), dir.resolve("absent")));
    assertTrue(e.getMessage().contains("cannot read"), e.getMessage());
  }
}
