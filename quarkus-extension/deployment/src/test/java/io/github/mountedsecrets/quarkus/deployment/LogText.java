package io.github.mountedsecrets.quarkus.deployment;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.text.MessageFormat;
import java.util.logging.LogRecord;

/** Everything a log record would print: message, parameters and stack trace. */
final class LogText {
  private LogText() {}

  static String of(LogRecord record) {
    StringBuilder text = new StringBuilder(String.valueOf(record.getMessage()));
    Object[] parameters = record.getParameters();
    if (parameters != null) {
      for (Object parameter : parameters) {
        text.append(" | ").append(parameter);
      }
      try {
        text.append(" | ").append(MessageFormat.format(String.valueOf(record.getMessage()), parameters));
      } catch (IllegalArgumentException e) {
        // not a MessageFormat pattern; the raw parameters are already in the text
      }
    }
    if (record.getThrown() != null) {
      StringWriter trace = new StringWriter();
      record.getThrown().printStackTrace(new PrintWriter(trace));
      text.append(" | ").append(trace);
    }
    return text.toString();
  }
}
