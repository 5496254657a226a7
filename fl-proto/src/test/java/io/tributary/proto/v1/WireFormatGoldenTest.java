package io.tributary.proto.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Wire compatibility of fl.v1: fixed messages must serialise to the committed golden bytes, and the
 * golden bytes must parse back to the same messages, so that a changed field number, type or oneof
 * breaks the build instead of silently breaking deployed clients. A second golden file pins every
 * field's number, type and label, which catches type changes that happen to keep the bytes (e.g.
 * int64 to uint64) and changes to messages not serialised here.
 *
 * <p>Regenerate only for a deliberate, compatible change: {@code mvn -pl fl-proto test
 * -Dtest=WireFormatGoldenTest -Dgolden.update=true}, then review the diff.
 */
class WireFormatGoldenTest {
  private static final boolean UPDATE = Boolean.getBoolean("golden.update");
  private static final Path SOURCE_DIR = Path.of("src", "test", "resources", "golden");

  private static final String ROUND_TASK_ID = "task-0007-3f9a";

  private static List<TensorSpec> tensors() {
    return List.of(
        TensorSpec.newBuilder().setName("dense_0/kernel").addShape(3).addShape(4).setDtype(DType.DTYPE_FLOAT32).build(),
        TensorSpec.newBuilder().setName("dense_0/bias").addShape(4).setDtype(DType.DTYPE_FLOAT32).build());
  }

  private static ByteString sha() {
    byte[] b = new byte[32];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (i * 7 + 1);
    }
    return ByteString.copyFrom(b);
  }

  static UpdateChunk updateHeader() {
    return UpdateChunk.newBuilder()
        .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
        .setRoundId(7)
        .setTaskId(ROUND_TASK_ID)
        .setHeader(UpdateHeader.newBuilder()
            .setClientId("client-42")
            .setModelVersion(7)
            .addAllTensors(tensors())
            .setTotalBytes(64)
            .setEncoding(UpdateEncoding.UPDATE_ENCODING_FLOAT32_DELTA)
            .setNumExamples(600)
            .setLocalSteps(60))
        .build();
  }

  /** A FedNova client's header: the same as {@link #updateHeader()} plus field 8. */
  static UpdateChunk updateHeaderWithAccumulationNorm() {
    UpdateChunk h = updateHeader();
    return h.toBuilder().setHeader(h.getHeader().toBuilder().setAccumulationNorm(42.5)).build();
  }

  /**
   * A SCAFFOLD client's header: {@link #updateHeader()} whose stream is the delta then Δc_i, so it
   * declares twice the bytes and the control tensors (field 9).
   */
  static UpdateChunk updateHeaderWithControl() {
    UpdateChunk h = updateHeader();
    return h.toBuilder().setHeader(h.getHeader().toBuilder().setTotalBytes(128).addAllControlTensors(tensors()))
        .build();
  }

  static UpdateChunk updateData() {
    return UpdateChunk.newBuilder()
        .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
        .setRoundId(7)
        .setTaskId(ROUND_TASK_ID)
        .setData(DataChunk.newBuilder()
            .setOffset(1 << 20)
            // 1.0f, -2.0f, 0.5f little-endian
            .setData(ByteString.copyFrom(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0, 0, 0, 0, 0x3f})))
        .build();
  }

  static UpdateChunk updateTrailer() {
    return UpdateChunk.newBuilder()
        .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
        .setRoundId(7)
        .setTaskId(ROUND_TASK_ID)
        .setTrailer(UpdateTrailer.newBuilder().setCrc32C(0xCAFEF00D).putMetrics("train_loss", 0.25))
        .build();
  }

  static ModelChunk modelHeader() {
    return ModelChunk.newBuilder()
        .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
        .setRoundId(7)
        .setTaskId(ROUND_TASK_ID)
        .setHeader(ModelHeader.newBuilder()
            .setModelVersion(7)
            .addAllTensors(tensors())
            .setTotalBytes(64)
            .setSha256(sha()))
        .build();
  }

  /** A SCAFFOLD round's model header: the model then the server's control variate c (field 5). */
  static ModelChunk modelHeaderWithControl() {
    ModelChunk h = modelHeader();
    return h.toBuilder().setHeader(h.getHeader().toBuilder().setTotalBytes(128).addAllControlTensors(tensors()))
        .build();
  }

  static ModelChunk modelData() {
    return ModelChunk.newBuilder()
        .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
        .setRoundId(7)
        .setTaskId(ROUND_TASK_ID)
        .setData(DataChunk.newBuilder()
            .setOffset(48)
            .setData(ByteString.copyFrom(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0x80})))
        .build();
  }

  static CheckInResponse checkInTask() {
    return CheckInResponse.newBuilder()
        .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
        .setTask(Task.newBuilder()
            .setRoundId(7)
            .setTaskId(ROUND_TASK_ID)
            .setType(TaskType.TASK_TYPE_FIT)
            .setModelVersion(7)
            .addAllTensors(tensors())
            .setModelBytes(64)
            .putConfig("lr", ConfigValue.newBuilder().setDoubleValue(0.05).build())
            .setDeadlineUnixMs(1_700_000_000_000L)
            .setStrategy("fedavg"))
        .build();
  }

  /** A SCAFFOLD task: {@link #checkInTask()} for strategy scaffold, with control variates (field 10). */
  static CheckInResponse checkInTaskWithControlVariates() {
    CheckInResponse r = checkInTask();
    return r.toBuilder().setTask(r.getTask().toBuilder().setStrategy("scaffold").setControlVariates(true)).build();
  }

  static CheckInResponse checkInRetry() {
    return CheckInResponse.newBuilder()
        .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
        .setRetryAfter(RetryAfter.newBuilder().setDelayMs(5000).setReason("waiting for clients"))
        .build();
  }

  static CheckInRequest checkInRequest() {
    return CheckInRequest.newBuilder()
        .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
        .setClientId("client-42")
        .putCapabilities("trainer", "mlp")
        .build();
  }

  // ---------------------------------------------------------------- golden files

  private static String hexLines(byte[] bytes) {
    String hex = HexFormat.of().formatHex(bytes);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < hex.length(); i += 64) {
      out.append(hex, i, Math.min(hex.length(), i + 64)).append('\n');
    }
    return out.toString();
  }

  private static String readResource(String name) throws IOException {
    try (InputStream in = WireFormatGoldenTest.class.getResourceAsStream("/golden/" + name)) {
      assertNotNull(in, "missing golden file golden/" + name + " (generate it with -Dgolden.update=true)");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void writeSource(String name, String content) throws IOException {
    Files.createDirectories(SOURCE_DIR);
    Files.writeString(SOURCE_DIR.resolve(name), content, StandardCharsets.UTF_8);
  }

  private static <T extends Message> void assertGolden(String name, T message, Parser<T> parser) throws IOException {
    String comment = "# fl.v1 " + message.getDescriptorForType().getName()
        + " serialised by WireFormatGoldenTest; do not edit by hand\n";
    if (UPDATE) {
      writeSource(name, comment + hexLines(message.toByteArray()));
      return;
    }
    StringBuilder hex = new StringBuilder();
    for (String line : readResource(name).split("\n")) {
      if (!line.startsWith("#")) {
        hex.append(line.strip());
      }
    }
    byte[] golden = HexFormat.of().parseHex(hex);
    assertEquals(hexLines(golden), hexLines(message.toByteArray()), name + ": serialised bytes changed");
    assertEquals(message, parser.parseFrom(golden), name + ": golden bytes parse to a different message");
  }

  @Test
  void updateChunk_header_matchesGoldenBytes() throws IOException {
    assertGolden("update_chunk_header.hex", updateHeader(), UpdateChunk.parser());
  }

  @Test
  void updateChunk_headerWithAccumulationNorm_matchesGoldenBytes() throws IOException {
    assertGolden("update_chunk_header_accumulation_norm.hex", updateHeaderWithAccumulationNorm(),
        UpdateChunk.parser());
  }

  @Test
  void updateChunk_headerWithAccumulationNorm_extendsTheOldBytesOnly() throws Exception {
    // A client that sets no norm sends the bytes it always did; one that sets it appends field 8 to
    // the header, which an older server skips as an unknown field.
    UpdateChunk old = updateHeader();
    UpdateChunk withNorm = updateHeaderWithAccumulationNorm();
    assertEquals(0.0, UpdateChunk.parseFrom(old.toByteArray()).getHeader().getAccumulationNorm());
    byte[] oldHeader = old.getHeader().toByteArray();
    byte[] newHeader = withNorm.getHeader().toByteArray();
    assertEquals(HexFormat.of().formatHex(oldHeader),
        HexFormat.of().formatHex(java.util.Arrays.copyOf(newHeader, oldHeader.length)));
    assertEquals(oldHeader.length + 9, newHeader.length, "tag 0x41 and eight bytes of double");
    assertEquals(0x41, newHeader[oldHeader.length] & 0xff);
  }

  @Test
  void updateChunk_headerWithControl_matchesGoldenBytes() throws IOException {
    assertGolden("update_chunk_header_control.hex", updateHeaderWithControl(), UpdateChunk.parser());
  }

  @Test
  void modelChunk_headerWithControl_matchesGoldenBytes() throws IOException {
    assertGolden("model_chunk_header_control.hex", modelHeaderWithControl(), ModelChunk.parser());
  }

  @Test
  void checkInResponse_taskWithControlVariates_matchesGoldenBytes() throws IOException {
    assertGolden("check_in_response_task_control.hex", checkInTaskWithControlVariates(), CheckInResponse.parser());
  }

  /** {@code longer} starts with every byte of {@code shorter}: fields were appended, none changed. */
  private static void assertExtends(byte[] shorter, byte[] longer, int firstNewTag) {
    assertEquals(HexFormat.of().formatHex(shorter),
        HexFormat.of().formatHex(java.util.Arrays.copyOf(longer, shorter.length)));
    assertTrue(longer.length > shorter.length, "something was appended");
    assertEquals(firstNewTag, longer[shorter.length] & 0xff);
  }

  @Test
  void controlVariateFields_extendTheOldBytesOnly() throws Exception {
    // Without control variates every message is what it always was (a FedAvg round's download and
    // upload are byte-identical); with them, the new fields follow the old ones, which an older peer
    // skips as unknown fields.
    Task task = checkInTask().getTask();
    assertFalse(Task.parseFrom(task.toByteArray()).getControlVariates());
    assertExtends(task.toByteArray(), task.toBuilder().setControlVariates(true).build().toByteArray(), 0x50);

    ModelHeader model = modelHeader().getHeader();
    assertEquals(0, ModelHeader.parseFrom(model.toByteArray()).getControlTensorsCount());
    assertExtends(model.toByteArray(), model.toBuilder().addAllControlTensors(tensors()).build().toByteArray(), 0x2a);

    UpdateHeader update = updateHeaderWithAccumulationNorm().getHeader();
    assertEquals(0, UpdateHeader.parseFrom(update.toByteArray()).getControlTensorsCount());
    assertExtends(update.toByteArray(), update.toBuilder().addAllControlTensors(tensors()).build().toByteArray(), 0x4a);
  }

  @Test
  void updateChunk_data_matchesGoldenBytes() throws IOException {
    assertGolden("update_chunk_data.hex", updateData(), UpdateChunk.parser());
  }

  @Test
  void updateChunk_trailer_matchesGoldenBytes() throws IOException {
    assertGolden("update_chunk_trailer.hex", updateTrailer(), UpdateChunk.parser());
  }

  @Test
  void modelChunk_header_matchesGoldenBytes() throws IOException {
    assertGolden("model_chunk_header.hex", modelHeader(), ModelChunk.parser());
  }

  @Test
  void modelChunk_data_matchesGoldenBytes() throws IOException {
    assertGolden("model_chunk_data.hex", modelData(), ModelChunk.parser());
  }

  @Test
  void checkInResponse_task_matchesGoldenBytes() throws IOException {
    assertGolden("check_in_response_task.hex", checkInTask(), CheckInResponse.parser());
  }

  @Test
  void checkInResponse_retryAfter_matchesGoldenBytes() throws IOException {
    assertGolden("check_in_response_retry.hex", checkInRetry(), CheckInResponse.parser());
  }

  @Test
  void checkInRequest_matchesGoldenBytes() throws IOException {
    assertGolden("check_in_request.hex", checkInRequest(), CheckInRequest.parser());
  }

  // ---------------------------------------------------------------- schema

  private static void describe(Descriptor d, StringBuilder out) {
    out.append("message ").append(d.getFullName()).append('\n');
    for (FieldDescriptor f : d.getFields()) {
      out.append("  ").append(f.getNumber()).append(' ').append(f.getName()).append(": ");
      if (f.isMapField()) {
        out.append("map ");
      } else if (f.isRepeated()) {
        out.append("repeated ");
      }
      out.append(f.getType());
      if (f.getType() == FieldDescriptor.Type.MESSAGE) {
        out.append(' ').append(f.getMessageType().getFullName());
      } else if (f.getType() == FieldDescriptor.Type.ENUM) {
        out.append(' ').append(f.getEnumType().getFullName());
      }
      if (f.getRealContainingOneof() != null) {
        out.append(" oneof ").append(f.getRealContainingOneof().getName());
      }
      out.append('\n');
    }
    for (Descriptor nested : d.getNestedTypes()) {
      describe(nested, out);
    }
  }

  static String schema() {
    StringBuilder out = new StringBuilder();
    out.append("# fl.v1 field numbers, types and labels; generated by WireFormatGoldenTest\n");
    out.append("package ").append(FederatedProto.getDescriptor().getPackage()).append('\n');
    for (EnumDescriptor e : FederatedProto.getDescriptor().getEnumTypes()) {
      out.append("enum ").append(e.getFullName()).append('\n');
      for (EnumValueDescriptor v : e.getValues()) {
        out.append("  ").append(v.getNumber()).append(' ').append(v.getName()).append('\n');
      }
    }
    for (Descriptor d : FederatedProto.getDescriptor().getMessageTypes()) {
      describe(d, out);
    }
    for (ServiceDescriptor s : FederatedProto.getDescriptor().getServices()) {
      out.append("service ").append(s.getFullName()).append('\n');
      for (MethodDescriptor m : s.getMethods()) {
        out.append("  rpc ").append(m.getName()).append('(')
            .append(m.isClientStreaming() ? "stream " : "").append(m.getInputType().getFullName())
            .append(") returns (")
            .append(m.isServerStreaming() ? "stream " : "").append(m.getOutputType().getFullName())
            .append(")\n");
      }
    }
    return out.toString();
  }

  @Test
  void schema_fieldNumbersTypesAndLabels_matchGolden() throws IOException {
    String actual = schema();
    if (UPDATE) {
      writeSource("fl_v1_schema.txt", actual);
      return;
    }
    assertEquals(readResource("fl_v1_schema.txt"), actual, "fl.v1 schema changed");
  }
}
