package io.tributary.data.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.data.DatasetFormatException;
import io.tributary.data.json.JsonReader.Token;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonReaderTest {

  @TempDir
  Path directory;

  private Path write(String content) throws IOException {
    return write(content.getBytes(StandardCharsets.UTF_8));
  }

  private Path write(byte[] content) throws IOException {
    return Files.write(directory.resolve("test.json"), content);
  }

  /** Reads the whole document, skipping every value, and returns the error it raises. */
  private DatasetFormatException parseError(String content) throws IOException {
    Path file = write(content);
    return assertThrows(DatasetFormatException.class, () -> {
      try (JsonReader reader = JsonReader.open(file)) {
        reader.skipValue();
        reader.endDocument();
      }
    });
  }

  private static void assertMessage(DatasetFormatException error, String... parts) {
    for (String part : parts) {
      assertTrue(error.getMessage().contains(part),
          "expected \"" + part + "\" in: " + error.getMessage());
    }
  }

  @Test
  void read_nestedDocument_yieldsTokensAndValuesInOrder() throws IOException {
    Path file = write(" {\"data\": [[0, 12, 255], []], \"name\" : \"x\",\n"
        + "\"flag\": true, \"off\": false, \"none\": null, \"ratio\": -1.5e2} \n");
    try (JsonReader reader = JsonReader.open(file)) {
      assertEquals(Token.BEGIN_OBJECT, reader.peek());
      reader.beginObject();
      assertEquals("data", reader.nextName());
      reader.beginArray();
      reader.beginArray();
      List<Integer> values = new ArrayList<>();
      while (reader.hasNext()) {
        values.add(reader.nextInt());
      }
      reader.endArray();
      assertEquals(List.of(0, 12, 255), values);
      reader.beginArray();
      assertFalse(reader.hasNext());
      reader.endArray();
      reader.endArray();
      assertEquals("name", reader.nextName());
      assertEquals("x", reader.nextString());
      assertEquals("flag", reader.nextName());
      assertTrue(reader.nextBoolean());
      assertEquals("off", reader.nextName());
      assertFalse(reader.nextBoolean());
      assertEquals("none", reader.nextName());
      assertEquals(Token.NULL, reader.peek());
      reader.nextNull();
      assertEquals("ratio", reader.nextName());
      assertEquals(-150.0, reader.nextDouble());
      assertFalse(reader.hasNext());
      reader.endObject();
      assertEquals(Token.END_DOCUMENT, reader.peek());
      reader.endDocument();
    }
  }

  @Test
  void nextString_escapesAndMultiByteUtf8_decoded() throws IOException {
    Path file = write("[\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\", \"é€😀\"]");
    try (JsonReader reader = JsonReader.open(file)) {
      reader.beginArray();
      assertEquals("a\"b\\c/d\b\f\n\r\té😀", reader.nextString());
      assertEquals("é€😀", reader.nextString());
      reader.endArray();
      reader.endDocument();
    }
  }

  @Test
  void numbers_floatsAndDoubles_roundedOnceFromText() throws IOException {
    Path file = write("[0.9686274528503418, 1e-3, 2E+2, -0, 123456789012345678901, 7]");
    try (JsonReader reader = JsonReader.open(file)) {
      reader.beginArray();
      assertEquals(Float.parseFloat("0.9686274528503418"), reader.nextFloat());
      assertEquals(0.001, reader.nextDouble());
      assertEquals(200f, reader.nextFloat());
      assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(reader.nextFloat()));
      assertEquals(1.2345678901234568e20, reader.nextDouble());
      assertEquals(7.0, reader.nextDouble());
      reader.endArray();
    }
  }

  @Test
  void nextInt_fractionOrOverflow_throwsNamingValueAndOffset() throws IOException {
    Path file = write("[1.5, 2147483648, -2147483648]");
    try (JsonReader reader = JsonReader.open(file)) {
      reader.beginArray();
      DatasetFormatException fraction = assertThrows(DatasetFormatException.class,
          reader::nextInt);
      assertMessage(fraction, file.toString(), "expected an integer, found 1.5 at byte offset 1");
      DatasetFormatException overflow = assertThrows(DatasetFormatException.class,
          reader::nextInt);
      assertMessage(overflow, "integer 2147483648 does not fit in 32 bits at byte offset 6");
      assertEquals(Integer.MIN_VALUE, reader.nextInt());
    }
  }

  @Test
  void nextInt_wrongTokenType_throwsNamingBoth() throws IOException {
    Path file = write("[\"7\"]");
    try (JsonReader reader = JsonReader.open(file)) {
      reader.beginArray();
      DatasetFormatException error = assertThrows(DatasetFormatException.class, reader::nextInt);
      assertMessage(error, "expected a number, found a string at byte offset 1");
    }
  }

  @Test
  void skipValue_nestedValue_consumesItWhole() throws IOException {
    Path file = write("{\"skip\": {\"a\": [1, {\"b\": \"c\\n\"}], \"d\": null}, \"keep\": 3}");
    try (JsonReader reader = JsonReader.open(file)) {
      reader.beginObject();
      assertEquals("skip", reader.nextName());
      reader.skipValue();
      assertEquals("keep", reader.nextName());
      assertEquals(3, reader.nextInt());
      reader.endObject();
      reader.endDocument();
    }
  }

  @Test
  void read_contentLongerThanBuffer_tokensSpanningRefillsParsed() throws IOException {
    StringBuilder json = new StringBuilder("[");
    for (int index = 0; index < 50_000; index++) {
      json.append(index == 0 ? "" : ",").append(index).append(",\"s").append(index)
          .append("\"");
    }
    json.append("]");
    Path file = write(json.toString());
    long sum = 0;
    int strings = 0;
    try (JsonReader reader = JsonReader.open(file)) {
      reader.beginArray();
      for (int index = 0; index < 50_000; index++) {
        sum += reader.nextInt();
        assertEquals("s" + index, reader.nextString());
        strings++;
      }
      reader.endArray();
      reader.endDocument();
    }
    assertEquals(50_000L * 49_999 / 2, sum);
    assertEquals(50_000, strings);
  }

  @Test
  void open_gzipFile_readsDecompressedContent() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(bytes)) {
      out.write("{\"k\": [4, 5]}".getBytes(StandardCharsets.UTF_8));
    }
    Path file = write(bytes.toByteArray());
    try (JsonReader reader = JsonReader.open(file)) {
      reader.beginObject();
      assertEquals("k", reader.nextName());
      reader.beginArray();
      assertEquals(4, reader.nextInt());
      assertEquals(5, reader.nextInt());
      reader.endArray();
      reader.endObject();
      reader.endDocument();
    }
  }

  @Test
  void parse_trailingComma_throwsWithOffset() throws IOException {
    assertMessage(parseError("[1, 2,]"), "test.json: malformed JSON at byte offset 6:",
        "expected a value after ',' in an array, found ']'");
  }

  @Test
  void parse_missingColon_throwsWithOffset() throws IOException {
    assertMessage(parseError("{\"a\" 1}"),
        "malformed JSON at byte offset 5: expected ':' after a name in an object, found '1'");
  }

  @Test
  void parse_missingComma_throwsWithOffset() throws IOException {
    assertMessage(parseError("[1 2]"),
        "malformed JSON at byte offset 3: expected ',' or ']' in an array, found '2'");
  }

  @Test
  void parse_unquotedName_throws() throws IOException {
    assertMessage(parseError("{a: 1}"), "malformed JSON at byte offset 1: expected a name in"
        + " double quotes or '}' in an object, found 'a'");
  }

  @Test
  void parse_leadingZero_throws() throws IOException {
    assertMessage(parseError("[012]"), "malformed JSON at byte offset 2: expected no leading"
        + " zeros in a number");
  }

  @Test
  void parse_incompleteNumbers_throw() throws IOException {
    assertMessage(parseError("[1.]"),
        "byte offset 3: expected a digit after '.' in a number, found ']'");
    assertMessage(parseError("[1e]"),
        "byte offset 3: expected a digit in a number's exponent, found ']'");
    assertMessage(parseError("[-]"), "byte offset 2: expected a digit in a number, found ']'");
  }

  @Test
  void parse_unterminatedString_throwsAtEndOfFile() throws IOException {
    assertMessage(parseError("[\"abc"),
        "malformed JSON at byte offset 5: expected the closing '\"' of a string, found end of"
            + " file");
  }

  @Test
  void parse_truncatedArray_throwsAtEndOfFile() throws IOException {
    assertMessage(parseError("[[1, 2], [3"),
        "byte offset 11: expected ',' or ']' in an array, found end of file");
  }

  @Test
  void parse_trailingContent_throws() throws IOException {
    assertMessage(parseError("[1] [2]"),
        "byte offset 4: expected end of file after the top-level value, found '['");
  }

  @Test
  void parse_emptyFile_throws() throws IOException {
    assertMessage(parseError("  "), "byte offset 2: expected a JSON value, found end of file");
  }

  @Test
  void parse_badLiteral_throws() throws IOException {
    assertMessage(parseError("[tru]"), "byte offset 4: expected 'true'", "found ']'");
    assertMessage(parseError("[NaN]"), "byte offset 1: expected a value or ']' in an array,"
        + " found 'N'");
  }

  @Test
  void parse_controlCharacterInString_throws() throws IOException {
    assertMessage(parseError("[\"a\nb\"]"),
        "byte offset 3: expected no unescaped control characters in a string, found byte 0x0A");
  }

  @Test
  void parse_badEscape_throws() throws IOException {
    assertMessage(parseError("[\"\\x\"]"), "byte offset 3: expected an escape");
    assertMessage(parseError("[\"\\u12g4\"]"),
        "byte offset 6: expected four hexadecimal digits after '\\u', found 'g'");
  }

  @Test
  void parse_invalidUtf8_throws() throws IOException {
    Path file = write(new byte[] {'[', '"', (byte) 0xC3, '(', '"', ']'});
    DatasetFormatException truncated = assertThrows(DatasetFormatException.class, () -> {
      try (JsonReader reader = JsonReader.open(file)) {
        reader.skipValue();
      }
    });
    assertMessage(truncated, "byte offset 3: expected a UTF-8 continuation byte");
    Path overlong = write(new byte[] {'[', '"', (byte) 0xE0, (byte) 0x80, (byte) 0xAF, '"', ']'});
    DatasetFormatException error = assertThrows(DatasetFormatException.class, () -> {
      try (JsonReader reader = JsonReader.open(overlong)) {
        reader.skipValue();
      }
    });
    assertMessage(error, "byte offset 2: invalid UTF-8 sequence for U+2F");
  }

  @Test
  void parse_tooDeep_throws() throws IOException {
    assertMessage(parseError("[".repeat(JsonReader.MAX_DEPTH + 1)),
        "nesting deeper than " + JsonReader.MAX_DEPTH);
  }

  @Test
  void endArray_insideObject_throwsNamingBothTokens() throws IOException {
    Path file = write("{\"a\": 1}");
    try (JsonReader reader = JsonReader.open(file)) {
      reader.beginObject();
      DatasetFormatException error = assertThrows(DatasetFormatException.class,
          reader::endArray);
      assertMessage(error, "expected the end of an array, found a name at byte offset 1");
    }
  }

  @Test
  void error_afterValue_namesFileDetailAndTokenOffset() throws IOException {
    Path file = write("[10, 300]");
    try (JsonReader reader = JsonReader.open(file)) {
      reader.beginArray();
      reader.nextInt();
      reader.nextInt();
      assertEquals(5, reader.tokenOffset());
      assertEquals(file + ": pixel is 300 at byte offset 5",
          reader.error("pixel is 300").getMessage());
      assertEquals(file, reader.file());
    }
  }
}
