package io.tributary.proto.convert;

import io.grpc.Status;
import io.grpc.StatusException;
import io.tributary.core.config.ConfigValues;
import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.TensorSpec;
import io.tributary.proto.v1.ConfigValue;
import io.tributary.proto.v1.DType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Converts between core types and fl.v1 wire messages, rejecting malformed input. Stateless. */
public final class WireConversions {
  private WireConversions() {}

  public static List<io.tributary.proto.v1.TensorSpec> toWire(ModelLayout layout) {
    List<io.tributary.proto.v1.TensorSpec> out = new ArrayList<>();
    for (TensorSpec t : layout.tensors()) {
      io.tributary.proto.v1.TensorSpec.Builder b =
          io.tributary.proto.v1.TensorSpec.newBuilder().setName(t.name()).setDtype(DType.DTYPE_FLOAT32);
      for (int d : t.shape()) {
        b.addShape(d);
      }
      out.add(b.build());
    }
    return out;
  }

  /** The layout described by wire tensor specs; INVALID_ARGUMENT if they are malformed. */
  public static ModelLayout fromWire(List<io.tributary.proto.v1.TensorSpec> specs) throws StatusException {
    if (specs.isEmpty()) {
      throw Status.INVALID_ARGUMENT.withDescription("no tensors declared").asException();
    }
    List<TensorSpec> out = new ArrayList<>();
    try {
      for (io.tributary.proto.v1.TensorSpec s : specs) {
        if (s.getDtype() != DType.DTYPE_FLOAT32) {
          throw Status.INVALID_ARGUMENT
              .withDescription("tensor '" + s.getName() + "' has dtype " + s.getDtype() + ", only FLOAT32 is supported")
              .asException();
        }
        int[] shape = new int[s.getShapeCount()];
        for (int i = 0; i < shape.length; i++) {
          long d = s.getShape(i);
          if (d <= 0 || d > Integer.MAX_VALUE) {
            throw Status.INVALID_ARGUMENT
                .withDescription("tensor '" + s.getName() + "' has invalid dimension " + d)
                .asException();
          }
          shape[i] = (int) d;
        }
        out.add(TensorSpec.of(s.getName(), shape));
      }
      return ModelLayout.of(out);
    } catch (IllegalArgumentException e) {
      throw Status.INVALID_ARGUMENT.withDescription("malformed tensor specs: " + e.getMessage()).asException();
    }
  }

  public static Map<String, ConfigValue> toWire(ConfigValues config) {
    Map<String, ConfigValue> out = new LinkedHashMap<>();
    config.asMap().forEach((k, v) -> {
      ConfigValue.Builder b = ConfigValue.newBuilder();
      if (v instanceof Double d) {
        b.setDoubleValue(d);
      } else if (v instanceof Long l) {
        b.setIntValue(l);
      } else if (v instanceof Boolean z) {
        b.setBoolValue(z);
      } else {
        b.setStringValue(String.valueOf(v));
      }
      out.put(k, b.build());
    });
    return out;
  }

  public static ConfigValues fromWire(Map<String, ConfigValue> config) {
    ConfigValues.Builder b = ConfigValues.builder();
    config.forEach((k, v) -> {
      switch (v.getKindCase()) {
        case DOUBLE_VALUE -> b.put(k, v.getDoubleValue());
        case INT_VALUE -> b.put(k, v.getIntValue());
        case BOOL_VALUE -> b.put(k, v.getBoolValue());
        case STRING_VALUE -> b.put(k, v.getStringValue());
        default -> throw new IllegalArgumentException("config key '" + k + "' has no value");
      }
    });
    return b.build();
  }
}
