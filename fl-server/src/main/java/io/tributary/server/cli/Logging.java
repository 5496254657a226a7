package io.tributary.server.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One-line, timestamped log records on stderr for the command-line tools. */
public final class Logging {
  private Logging() {}

  public static void configure() {
    Logger root = Logger.getLogger("");
    for (var h : root.getHandlers()) {
      root.removeHandler(h);
    }
    ConsoleHandler handler = new ConsoleHandler();
    handler.setFormatter(new Formatter() {
      @Override
      public String format(LogRecord r) {
        String name = r.getLoggerName() == null ? "" : r.getLoggerName();
        name = name.substring(name.lastIndexOf('.') + 1);
        String msg = String.format("%1$tT.%1$tL %2$-7s %3$s: %4$s%n", r.getMillis(), r.getLevel(), name,
            formatMessage(r));
        if (r.getThrown() != null) {
          msg += r.getThrown() + System.lineSeparator();
        }
        return msg;
      }
    });
    String level = System.getenv().getOrDefault("TRIBUTARY_LOG_LEVEL", "INFO");
    handler.setLevel(Level.parse(level));
    root.setLevel(Level.parse(level));
    root.addHandler(handler);
    Logger.getLogger("io.grpc").setLevel(Level.WARNING);
    Logger.getLogger("io.netty").setLevel(Level.WARNING);
  }
}
