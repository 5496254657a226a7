package io.tributary.data.json;

import io.tributary.data.DatasetFormatException;
import io.tributary.data.Gzip;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.zip.ZipException;

/**
 * A streaming pull parser for JSON (RFC 8259) that reads one token at a time from a byte stream, so a
 * 16 MB dataset file is never held in memory as one {@code String}.
 *
 * <p>Usage follows the document's structure: {@link #beginObject()}, then while {@link #hasNext()}
 * a {@link #nextName()} and a value ({@link #nextInt()}, {@link #nextString()}, {@link #beginArray()},
 * ..., or {@link #skipValue()}), then {@link #endObject()}; finally {@link #endDocument()} to insist
 * that nothing follows the top-level value. {@link #peek()} tells what comes next without consuming
 * it.
 *
 * <p>The parser is strict: it rejects trailing commas, single quotes, comments, leading zeros,
 * {@code NaN}, unescaped control characters in strings, invalid UTF-8, and content after the
 * top-level value. Every syntax error is a {@link DatasetFormatException} whose message names the
 * file and the byte offset (counted from 0 in the decoded stream) of the offending byte, e.g.
 * {@code /data/0.json: malformed JSON at byte offset 1234: expected ',' or ']' in an array, found
 * 'x'}. Callers report their own semantic errors the same way through {@link #error(String)}.
 *
 * <p>Numbers are validated against the JSON grammar when peeked; {@link #nextInt()} accepts only
 * integer literals (no fraction or exponent), {@link #nextFloat()} and {@link #nextDouble()} any
 * number, rounded once to the nearest representable value. Nesting depth is limited to
 * {@value #MAX_DEPTH}.
 *
 * <p>Not thread-safe: one reader belongs to one thread. The reader owns its input stream and closes
 * it in {@link #close()}.
 */
public final class JsonReader implements Closeable {

  /** The kinds of token {@link #peek()} reports. */
  public enum Token {
    /** {@code [}. */
    BEGIN_ARRAY,
    /** {@code ]}. */
    END_ARRAY,
    /** {@code &#123;}. */
    BEGIN_OBJECT,
    /** {@code &#125;}. */
    END_OBJECT,
    /** A member name inside an object (a string followed by {@code :}). */
    NAME,
    /** A string value. */
    STRING,
    /** A number value. */
    NUMBER,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** {@code null}. */
    NULL,
    /** The end of the input after the top-level value. */
    END_DOCUMENT
  }

  /** Deepest nesting of arrays and objects accepted; real dataset files need three or four. */
  public static final int MAX_DEPTH = 256;

  private static final int BUFFER_SIZE = 1 << 16;
  /** Longest number literal accepted; far beyond any double's 17 significant digits. */
  private static final int MAX_NUMBER_LENGTH = 256;

  private static final int EMPTY_DOCUMENT = 0;
  private static final int NONEMPTY_DOCUMENT = 1;
  private static final int EMPTY_ARRAY = 2;
  private static final int NONEMPTY_ARRAY = 3;
  private static final int EMPTY_OBJECT = 4;
  private static final int DANGLING_NAME = 5;
  private static final int NONEMPTY_OBJECT = 6;

  private final InputStream in;
  private final Path file;
  private final byte[] buffer = new byte[BUFFER_SIZE];
  private int position;
  private int limit;
  /** Offset in the stream of {@code buffer[0]}. */
  private long bufferOffset;

  private int[] stack = new int[16];
  private int stackSize;

  private Token peeked;
  private long tokenOffset;
  private boolean booleanValue;
  private final char[] numberChars = new char[MAX_NUMBER_LENGTH];
  private int numberLength;
  /** Whether the peeked number has neither fraction nor exponent. */
  private boolean numberIsInteger;
  /** The peeked integer's value when it has at most 18 digits, so it fits a long exactly. */
  private long integerValue;
  private boolean integerValueExact;

  private final StringBuilder text = new StringBuilder();

  /**
   * Creates a reader over {@code in}; content is read as UTF-8.
   *
   * @param in the JSON bytes; the reader buffers it itself and closes it in {@link #close()}
   * @param file the file the bytes come from, named in every error message
   */
  public JsonReader(InputStream in, Path file) {
    this.in = Objects.requireNonNull(in, "in");
    this.file = Objects.requireNonNull(file, "file");
    stack[stackSize++] = EMPTY_DOCUMENT;
  }

  /**
   * Opens a JSON file, raw or gzip-compressed (detected by content, see {@link Gzip}); byte offsets
   * in error messages then count decompressed bytes.
   *
   * @param file the file to read
   * @return a reader positioned before the top-level value
   * @throws IOException if the file cannot be opened
   */
  public static JsonReader open(Path file) throws IOException {
    return new JsonReader(Gzip.openPossiblyCompressed(Objects.requireNonNull(file, "file")), file);
  }

  /**
   * Returns the file named in error messages.
   *
   * @return the path given at construction
   */
  public Path file() {
    return file;
  }

  /**
   * Returns the byte offset of the first byte of the most recently peeked token (or of the last
   * consumed one if nothing is peeked), for error messages about values that parsed but make no
   * sense to the caller.
   *
   * @return a byte offset from 0; 0 before the first token
   */
  public long tokenOffset() {
    return tokenOffset;
  }

  /**
   * Builds an error about the current token, in the same form as this reader's syntax errors.
   *
   * @param detail what was expected and what was found, e.g. {@code pixel 3 of image 7 is 300,
   *     expected 0..255}
   * @return {@code <file>: <detail> at byte offset <tokenOffset()>}, ready to throw
   */
  public DatasetFormatException error(String detail) {
    return new DatasetFormatException(file, detail + " at byte offset " + tokenOffset);
  }

  /**
   * Tells what the next token is without consuming it.
   *
   * @return the next token's kind
   * @throws DatasetFormatException if the input is not valid JSON at this point
   * @throws IOException if the input cannot be read
   */
  public Token peek() throws IOException {
    if (peeked != null) {
      return peeked;
    }
    int scope = stack[stackSize - 1];
    int c;
    switch (scope) {
      case EMPTY_ARRAY -> {
        stack[stackSize - 1] = NONEMPTY_ARRAY;
        c = nextNonWhitespace();
        if (c == ']') {
          return peeked = Token.END_ARRAY;
        }
        return peeked = startValue(c, "a value or ']' in an array");
      }
      case NONEMPTY_ARRAY -> {
        c = nextNonWhitespace();
        if (c == ']') {
          return peeked = Token.END_ARRAY;
        }
        if (c != ',') {
          throw syntaxError("',' or ']' in an array", c);
        }
        return peeked = startValue(nextNonWhitespace(), "a value after ',' in an array");
      }
      case EMPTY_OBJECT, NONEMPTY_OBJECT -> {
        c = nextNonWhitespace();
        if (c == '}') {
          return peeked = Token.END_OBJECT;
        }
        String expected = "a name in double quotes after ',' in an object";
        if (scope == NONEMPTY_OBJECT) {
          if (c != ',') {
            throw syntaxError("',' or '}' in an object", c);
          }
          c = nextNonWhitespace();
        } else {
          expected = "a name in double quotes or '}' in an object";
        }
        if (c != '"') {
          throw syntaxError(expected, c);
        }
        stack[stackSize - 1] = DANGLING_NAME;
        return peeked = Token.NAME;
      }
      case DANGLING_NAME -> {
        c = nextNonWhitespace();
        if (c != ':') {
          throw syntaxError("':' after a name in an object", c);
        }
        stack[stackSize - 1] = NONEMPTY_OBJECT;
        return peeked = startValue(nextNonWhitespace(), "a value after ':' in an object");
      }
      case EMPTY_DOCUMENT -> {
        stack[stackSize - 1] = NONEMPTY_DOCUMENT;
        return peeked = startValue(nextNonWhitespace(), "a JSON value");
      }
      default -> {
        c = nextNonWhitespace();
        if (c != -1) {
          throw syntaxError("end of file after the top-level value", c);
        }
        return peeked = Token.END_DOCUMENT;
      }
    }
  }

  /**
   * Tells whether the current array or object has another element.
   *
   * @return false at {@code ]}, {@code &#125;} or the end of the document; true otherwise
   * @throws DatasetFormatException if the input is not valid JSON at this point
   * @throws IOException if the input cannot be read
   */
  public boolean hasNext() throws IOException {
    Token token = peek();
    return token != Token.END_ARRAY && token != Token.END_OBJECT && token != Token.END_DOCUMENT;
  }

  /**
   * Consumes {@code [}.
   *
   * @throws DatasetFormatException if the next token is something else, or nesting is too deep
   * @throws IOException if the input cannot be read
   */
  public void beginArray() throws IOException {
    expect(Token.BEGIN_ARRAY);
    push(EMPTY_ARRAY);
  }

  /**
   * Consumes {@code ]}.
   *
   * @throws DatasetFormatException if the next token is something else
   * @throws IOException if the input cannot be read
   */
  public void endArray() throws IOException {
    expect(Token.END_ARRAY);
    stackSize--;
  }

  /**
   * Consumes {@code &#123;}.
   *
   * @throws DatasetFormatException if the next token is something else, or nesting is too deep
   * @throws IOException if the input cannot be read
   */
  public void beginObject() throws IOException {
    expect(Token.BEGIN_OBJECT);
    push(EMPTY_OBJECT);
  }

  /**
   * Consumes {@code &#125;}.
   *
   * @throws DatasetFormatException if the next token is something else
   * @throws IOException if the input cannot be read
   */
  public void endObject() throws IOException {
    expect(Token.END_OBJECT);
    stackSize--;
  }

  /**
   * Consumes a member name.
   *
   * @return the decoded name
   * @throws DatasetFormatException if the next token is not a name or the string is malformed
   * @throws IOException if the input cannot be read
   */
  public String nextName() throws IOException {
    expect(Token.NAME);
    return readString(true);
  }

  /**
   * Consumes a string value.
   *
   * @return the decoded string, escapes resolved
   * @throws DatasetFormatException if the next token is not a string or the string is malformed
   * @throws IOException if the input cannot be read
   */
  public String nextString() throws IOException {
    expect(Token.STRING);
    return readString(true);
  }

  /**
   * Consumes an integer number such as {@code -12}; {@code 1.0} and {@code 1e2} are refused.
   *
   * @return the value
   * @throws DatasetFormatException if the next token is not a number, has a fraction or exponent, or
   *     does not fit an int
   * @throws IOException if the input cannot be read
   */
  public int nextInt() throws IOException {
    expect(Token.NUMBER);
    if (!numberIsInteger) {
      throw error("expected an integer, found " + numberText());
    }
    if (!integerValueExact || integerValue < Integer.MIN_VALUE
        || integerValue > Integer.MAX_VALUE) {
      throw error("integer " + numberText() + " does not fit in 32 bits");
    }
    return (int) integerValue;
  }

  /**
   * Consumes any number and rounds it to the nearest float.
   *
   * @return the value; magnitudes beyond float's range become infinite
   * @throws DatasetFormatException if the next token is not a number
   * @throws IOException if the input cannot be read
   */
  public float nextFloat() throws IOException {
    expect(Token.NUMBER);
    // Exact small integers skip the string conversion, the common case for pixel data; "-0"
    // takes the text path so that it keeps its sign.
    if (integerValueExact && Math.abs(integerValue) <= (1 << 24)
        && (integerValue != 0 || numberChars[0] != '-')) {
      return integerValue;
    }
    return Float.parseFloat(numberText());
  }

  /**
   * Consumes any number and rounds it to the nearest double.
   *
   * @return the value; magnitudes beyond double's range become infinite
   * @throws DatasetFormatException if the next token is not a number
   * @throws IOException if the input cannot be read
   */
  public double nextDouble() throws IOException {
    expect(Token.NUMBER);
    if (integerValueExact && Math.abs(integerValue) <= (1L << 53)
        && (integerValue != 0 || numberChars[0] != '-')) {
      return integerValue;
    }
    return Double.parseDouble(numberText());
  }

  /**
   * Consumes {@code true} or {@code false}.
   *
   * @return the value
   * @throws DatasetFormatException if the next token is not a boolean
   * @throws IOException if the input cannot be read
   */
  public boolean nextBoolean() throws IOException {
    expect(Token.BOOLEAN);
    return booleanValue;
  }

  /**
   * Consumes {@code null}.
   *
   * @throws DatasetFormatException if the next token is not null
   * @throws IOException if the input cannot be read
   */
  public void nextNull() throws IOException {
    expect(Token.NULL);
  }

  /**
   * Consumes the next value whatever it is, including nested arrays and objects, still validating
   * its syntax. Nothing is kept, so skipping a large array costs no memory.
   *
   * @throws DatasetFormatException if the next token does not start a value, or the value is
   *     malformed
   * @throws IOException if the input cannot be read
   */
  public void skipValue() throws IOException {
    int depth = 0;
    do {
      Token token = peek();
      switch (token) {
        case BEGIN_ARRAY -> {
          beginArray();
          depth++;
        }
        case BEGIN_OBJECT -> {
          beginObject();
          depth++;
        }
        case END_ARRAY, END_OBJECT -> {
          if (depth == 0) {
            throw error("expected a value to skip, found " + describe(token));
          }
          if (token == Token.END_ARRAY) {
            endArray();
          } else {
            endObject();
          }
          depth--;
        }
        case NAME -> {
          if (depth == 0) {
            throw error("expected a value to skip, found a name");
          }
          peeked = null;
          readString(false);
        }
        case STRING -> {
          peeked = null;
          readString(false);
        }
        case NUMBER, BOOLEAN, NULL -> peeked = null;
        default -> throw error("expected a value to skip, found end of file");
      }
    } while (depth > 0);
  }

  /**
   * Insists that the top-level value is complete and only whitespace follows it.
   *
   * @throws DatasetFormatException if the top-level value is unfinished or more content follows
   * @throws IOException if the input cannot be read
   */
  public void endDocument() throws IOException {
    expect(Token.END_DOCUMENT);
  }

  /** Closes the underlying stream. */
  @Override
  public void close() throws IOException {
    in.close();
  }

  private void expect(Token wanted) throws IOException {
    Token token = peek();
    if (token != wanted) {
      throw error("expected " + describe(wanted) + ", found " + describe(token));
    }
    peeked = null;
  }

  /**
   * Describes a token for error messages.
   *
   * @param token the token
   * @return e.g. {@code an array}, {@code a string}, {@code end of file}
   */
  public static String describe(Token token) {
    return switch (token) {
      case BEGIN_ARRAY -> "an array";
      case END_ARRAY -> "the end of an array";
      case BEGIN_OBJECT -> "an object";
      case END_OBJECT -> "the end of an object";
      case NAME -> "a name";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      case END_DOCUMENT -> "end of file";
    };
  }

  private void push(int scope) throws DatasetFormatException {
    if (stackSize > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH + " arrays and objects");
    }
    if (stackSize == stack.length) {
      stack = Arrays.copyOf(stack, stack.length * 2);
    }
    stack[stackSize++] = scope;
  }

  /** Classifies the byte that starts a value (already consumed) and scans scalars as needed. */
  private Token startValue(int c, String expected) throws IOException {
    switch (c) {
      case '[':
        return Token.BEGIN_ARRAY;
      case '{':
        return Token.BEGIN_OBJECT;
      case '"':
        return Token.STRING;
      case 't':
        literal("true");
        booleanValue = true;
        return Token.BOOLEAN;
      case 'f':
        literal("false");
        booleanValue = false;
        return Token.BOOLEAN;
      case 'n':
        literal("null");
        return Token.NULL;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          scanNumber(c);
          return Token.NUMBER;
        }
        throw syntaxError(expected, c);
    }
  }

  private void literal(String word) throws IOException {
    for (int index = 1; index < word.length(); index++) {
      int c = read();
      if (c != word.charAt(index)) {
        throw syntaxErrorAtPrevious("'" + word + "' (a literal starting with '" + word.charAt(0)
            + "')", c);
      }
    }
  }

  /** Scans a number per RFC 8259 section 6 into {@link #numberChars}; {@code first} is consumed. */
  private void scanNumber(int first) throws IOException {
    numberLength = 0;
    numberIsInteger = true;
    integerValue = 0;
    int digits = 0;
    int c = first;
    boolean negative = c == '-';
    if (negative) {
      appendNumberChar(c);
      c = read();
    }
    if (c == '0') {
      appendNumberChar(c);
      c = peekByte();
      if (c >= '0' && c <= '9') {
        position++;
        throw syntaxErrorAtPrevious("no leading zeros in a number ('0' must be followed by '.',"
            + " 'e' or the end of the number)", c);
      }
    } else if (c >= '1' && c <= '9') {
      while (true) {
        appendNumberChar(c);
        integerValue = integerValue * 10 + (c - '0');
        digits++;
        c = peekByte();
        if (c < '0' || c > '9') {
          break;
        }
        position++;
      }
    } else {
      throw syntaxErrorAtPrevious("a digit in a number", c);
    }
    // 18 decimal digits always fit a long; longer integers go through the text path.
    integerValueExact = digits <= 18;
    if (negative) {
      integerValue = -integerValue;
    }
    if (c == '.') {
      position++;
      numberIsInteger = false;
      appendNumberChar(c);
      c = read();
      if (c < '0' || c > '9') {
        throw syntaxErrorAtPrevious("a digit after '.' in a number", c);
      }
      while (c >= '0' && c <= '9') {
        appendNumberChar(c);
        c = peekByte();
        if (c >= '0' && c <= '9') {
          position++;
        }
      }
    }
    if (c == 'e' || c == 'E') {
      position++;
      numberIsInteger = false;
      appendNumberChar(c);
      c = read();
      if (c == '+' || c == '-') {
        appendNumberChar(c);
        c = read();
      }
      if (c < '0' || c > '9') {
        throw syntaxErrorAtPrevious("a digit in a number's exponent", c);
      }
      while (c >= '0' && c <= '9') {
        appendNumberChar(c);
        c = peekByte();
        if (c >= '0' && c <= '9') {
          position++;
        }
      }
    }
    if (!numberIsInteger) {
      integerValueExact = false;
    }
  }

  private void appendNumberChar(int c) throws DatasetFormatException {
    if (numberLength == MAX_NUMBER_LENGTH) {
      throw error("number longer than " + MAX_NUMBER_LENGTH + " characters");
    }
    numberChars[numberLength++] = (char) c;
  }

  private String numberText() {
    return new String(numberChars, 0, numberLength);
  }

  /**
   * Reads the rest of a string whose opening quote was consumed, decoding UTF-8 and escapes.
   *
   * @param keep whether to build the string; false validates and discards (for skipping)
   */
  private String readString(boolean keep) throws IOException {
    text.setLength(0);
    while (true) {
      if (position == limit && !fill()) {
        throw syntaxErrorAtPrevious("the closing '\"' of a string", -1);
      }
      int c = buffer[position++] & 0xFF;
      if (c == '"') {
        return keep ? text.toString() : null;
      }
      if (c == '\\') {
        int escaped = read();
        char decoded = switch (escaped) {
          case '"' -> '"';
          case '\\' -> '\\';
          case '/' -> '/';
          case 'b' -> '\b';
          case 'f' -> '\f';
          case 'n' -> '\n';
          case 'r' -> '\r';
          case 't' -> '\t';
          case 'u' -> readHexEscape();
          default -> throw syntaxErrorAtPrevious(
              "an escape (one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX) after '\\'", escaped);
        };
        if (keep) {
          text.append(decoded);
        }
      } else if (c < 0x20) {
        throw syntaxErrorAtPrevious("no unescaped control characters in a string", c);
      } else if (c < 0x80) {
        if (keep) {
          text.append((char) c);
        }
      } else {
        int codePoint = readUtf8Continuation(c);
        if (keep) {
          text.appendCodePoint(codePoint);
        }
      }
    }
  }

  private char readHexEscape() throws IOException {
    int value = 0;
    for (int index = 0; index < 4; index++) {
      int c = read();
      int digit = Character.digit(c < 0 ? -1 : c, 16);
      if (c >= 0x80 || digit < 0) {
        throw syntaxErrorAtPrevious("four hexadecimal digits after '\\u'", c);
      }
      value = value * 16 + digit;
    }
    return (char) value;
  }

  /** Decodes a multi-byte UTF-8 sequence whose lead byte {@code lead} was consumed (RFC 3629). */
  private int readUtf8Continuation(int lead) throws IOException {
    int length;
    int codePoint;
    int minimum;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 1;
      codePoint = lead & 0x1F;
      minimum = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 2;
      codePoint = lead & 0x0F;
      minimum = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 3;
      codePoint = lead & 0x07;
      minimum = 0x10000;
    } else {
      throw syntaxErrorAtPrevious("valid UTF-8 in a string", lead);
    }
    for (int index = 0; index < length; index++) {
      int c = read();
      if (c < 0x80 || c > 0xBF) {
        throw syntaxErrorAtPrevious("a UTF-8 continuation byte (0x80..0xBF) in a string", c);
      }
      codePoint = (codePoint << 6) | (c & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not valid UTF-8.
    if (codePoint < minimum || codePoint > Character.MAX_CODE_POINT
        || (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE)) {
      throw new DatasetFormatException(file, "malformed JSON at byte offset "
          + (absolutePosition() - length - 1) + ": invalid UTF-8 sequence for U+"
          + Integer.toHexString(codePoint).toUpperCase(Locale.ROOT) + " in a string");
    }
    return codePoint;
  }

  /** Skips JSON whitespace and returns the next byte (consumed) or -1 at the end of input. */
  private int nextNonWhitespace() throws IOException {
    while (true) {
      if (position == limit && !fill()) {
        tokenOffset = absolutePosition();
        return -1;
      }
      int c = buffer[position++] & 0xFF;
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        tokenOffset = absolutePosition() - 1;
        return c;
      }
    }
  }

  /** Consumes and returns the next byte, or -1 at the end of input. */
  private int read() throws IOException {
    if (position == limit && !fill()) {
      return -1;
    }
    return buffer[position++] & 0xFF;
  }

  /** Returns the next byte without consuming it, or -1 at the end of input. */
  private int peekByte() throws IOException {
    if (position == limit && !fill()) {
      return -1;
    }
    return buffer[position] & 0xFF;
  }

  /** Refills the empty buffer; returns false at the end of input. */
  private boolean fill() throws IOException {
    bufferOffset += limit;
    position = 0;
    limit = 0;
    int count;
    try {
      count = in.read(buffer, 0, buffer.length);
      // InputStream.read may return 0 only for a zero-length request, so -1 is the only end.
      while (count == 0) {
        count = in.read(buffer, 0, buffer.length);
      }
    } catch (ZipException e) {
      throw new DatasetFormatException(file, "corrupt gzip data after byte offset "
          + bufferOffset + " of the decompressed JSON: " + e.getMessage(), e);
    } catch (EOFException e) {
      throw new DatasetFormatException(file, "truncated gzip stream after byte offset "
          + bufferOffset + " of the decompressed JSON: " + e.getMessage(), e);
    }
    if (count < 0) {
      return false;
    }
    limit = count;
    return true;
  }

  private long absolutePosition() {
    return bufferOffset + position;
  }

  /** A syntax error about the byte {@code found} just read by {@link #nextNonWhitespace()}. */
  private DatasetFormatException syntaxError(String expected, int found) {
    return syntaxErrorAt(tokenOffset, expected, found);
  }

  /** A syntax error about the byte {@code found} just consumed by {@link #read()}. */
  private DatasetFormatException syntaxErrorAtPrevious(String expected, int found) {
    return syntaxErrorAt(found == -1 ? absolutePosition() : absolutePosition() - 1, expected,
        found);
  }

  private DatasetFormatException syntaxErrorAt(long offset, String expected, int found) {
    return new DatasetFormatException(file, "malformed JSON at byte offset " + offset
        + ": expected " + expected + ", found " + describeByte(found));
  }

  private static String describeByte(int c) {
    if (c == -1) {
      return "end of file";
    }
    if (c >= 0x21 && c < 0x7F) {
      return "'" + (char) c + "'";
    }
    return String.format("byte 0x%02X", c);
  }
}
