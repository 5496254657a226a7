package io.tributary.proto.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusException;
import io.tributary.core.config.ConfigValues;
import io.tributary.core.config.TrainingKeys;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.TensorSpec;
import io.tributary.core.nn.ConvNetwork;
import io.tributary.core.nn.DenseNetwork;
import io.tributary.proto.v1.ConfigValue;
import io.tributary.proto.v1.DType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WireConversionsTest {
  private static final ModelLayout LAYOUT =
      ModelLayout.of(TensorSpec.of("dense_0/kernel", 3, 4), TensorSpec.of("dense_0/bias", 4));

  private static io.tributary.proto.v1.TensorSpec spec(String name, DType dtype, long... shape) {
    io.tributary.proto.v1.TensorSpec.Builder b =
        io.tributary.proto.v1.TensorSpec.newBuilder().setName(name).setDtype(dtype);
    for (long d : shape) {
      b.addShape(d);
    }
    return b.build();
  }

  private static io.tributary.proto.v1.TensorSpec f32(String name, long... shape) {
    return spec(name, DType.DTYPE_FLOAT32, shape);
  }

  private static StatusException assertInvalid(List<io.tributary.proto.v1.TensorSpec> specs, String... fragments) {
    StatusException e = assertThrows(StatusException.class, () -> WireConversions.fromWire(specs));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    String d = e.getStatus().getDescription();
    for (String f : fragments) {
      assertTrue(d != null && d.contains(f), "description '" + d + "' lacks '" + f + "'");
    }
    return e;
  }

  @Test
  void toWire_layout_float32SpecsWithShapesInOrder() {
    assertEquals(List.of(f32("dense_0/kernel", 3, 4), f32("dense_0/bias", 4)), WireConversions.toWire(LAYOUT));
  }

  @Test
  void fromWire_toWire_roundTripsLayouts() throws Exception {
    for (ModelLayout l : List.of(LAYOUT, DenseNetwork.mnist2nn().layout(), ConvNetwork.mnistCnn().layout(),
        ModelLayout.of(TensorSpec.of("scalar")))) {
      assertEquals(l, WireConversions.fromWire(WireConversions.toWire(l)));
    }
  }

  @Test
  void fromWire_emptyList_invalidArgument() {
    assertInvalid(List.of(), "no tensors");
  }

  @Test
  void fromWire_dtypeUnspecified_invalidArgumentNamingTensor() {
    assertInvalid(List.of(f32("w", 2), spec("b", DType.DTYPE_UNSPECIFIED, 2)), "'b'", "DTYPE_UNSPECIFIED", "FLOAT32");
  }

  @Test
  void fromWire_unknownDtypeNumber_invalidArgumentNamingTensor() {
    io.tributary.proto.v1.TensorSpec s =
        io.tributary.proto.v1.TensorSpec.newBuilder().setName("w").addShape(2).setDtypeValue(9).build();
    assertInvalid(List.of(s), "'w'");
  }

  @Test
  void fromWire_zeroDimension_invalidArgumentNamingTensorAndDim() {
    assertInvalid(List.of(f32("w", 3, 0)), "'w'", "dimension 0");
  }

  @Test
  void fromWire_negativeDimension_invalidArgumentNamingTensorAndDim() {
    assertInvalid(List.of(f32("w", -3, 4)), "'w'", "dimension -3");
  }

  @Test
  void fromWire_dimensionBeyondInt_invalidArgument() {
    assertInvalid(List.of(f32("w", 1L << 31)), "'w'", Long.toString(1L << 31));
  }

  @Test
  void fromWire_tensorTooLarge_invalidArgument() {
    assertInvalid(List.of(f32("w", 1 << 16, 1 << 16)), "'w'", "too large");
  }

  @Test
  void fromWire_duplicateNames_invalidArgumentNamingTensor() {
    assertInvalid(List.of(f32("w", 2), f32("b", 2), f32("w", 3)), "duplicate", "'w'");
  }

  @Test
  void fromWire_emptyName_invalidArgument() {
    assertInvalid(List.of(f32("", 2)), "name");
  }

  @Test
  void fromWire_totalBeyondIntParameters_invalidArgument() {
    assertInvalid(List.of(f32("a", 1 << 30), f32("b", 1 << 30)), "2^31");
  }

  @Test
  void toWire_config_allFourTypesMapToTheirOneofCase() {
    ConfigValues c = ConfigValues.builder()
        .put("lr", 0.05).put("epochs", 5L).put("optimizer", "sgd").put("nesterov", true).build();
    Map<String, ConfigValue> w = WireConversions.toWire(c);
    assertEquals(ConfigValue.newBuilder().setDoubleValue(0.05).build(), w.get("lr"));
    assertEquals(ConfigValue.newBuilder().setIntValue(5).build(), w.get("epochs"));
    assertEquals(ConfigValue.newBuilder().setStringValue("sgd").build(), w.get("optimizer"));
    assertEquals(ConfigValue.newBuilder().setBoolValue(true).build(), w.get("nesterov"));
    assertEquals(List.of("lr", "epochs", "optimizer", "nesterov"), List.copyOf(w.keySet()));
  }

  @Test
  void fromWire_toWire_roundTripsConfigOfAllFourTypes() {
    ConfigValues c = ConfigValues.builder()
        .put("lr", -1.5e-300).put("epochs", Long.MIN_VALUE).put("seed", -1L).put("name", "")
        .put("unicode", "λ → ∞").put("flag", false).put("on", true).build();
    ConfigValues back = WireConversions.fromWire(WireConversions.toWire(c));
    assertEquals(c, back);
    assertEquals(-1.5e-300, back.get(TrainingKeys.LEARNING_RATE));
    assertEquals(Long.MIN_VALUE, back.asMap().get("epochs"));
  }

  @Test
  void fromWire_configKindNotSet_rejectedNamingKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WireConversions.fromWire(Map.of("lr", ConfigValue.getDefaultInstance())));
    assertTrue(e.getMessage().contains("'lr'"), e.getMessage());
  }

  @Test
  void fromWire_configNonFiniteDouble_rejectedNamingKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WireConversions.fromWire(Map.of("lr", ConfigValue.newBuilder().setDoubleValue(Double.NaN).build())));
    assertTrue(e.getMessage().contains("'lr'"), e.getMessage());
  }

  @Test
  void fromWire_emptyConfig_isEmpty() {
    assertEquals(ConfigValues.empty(), WireConversions.fromWire(Map.of()));
  }
}
