package io.tributary.core.protocol;

/** Constants of the wire protocol shared by servers and clients. */
public final class Protocol {
  /** The protocol version this code speaks. */
  public static final int VERSION = 1;

  private Protocol() {}
}
