package io.github.mountedsecrets;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/** Captures every log event of the library, with throwables, while open. */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
  private final List<ILoggingEvent> events = new ArrayList<>();
  private final Logger logger;

  private LogCapture() {
    logger = (Logger) LoggerFactory.getLogger("io.github.mountedsecrets");
    setName("capture");
    setContext(logger.getLoggerContext());
    start();
    logger.addAppender(this);
  }

  /**
   * Starts capturing.
   *
   * @return the capture; close it to stop
   */
  public static LogCapture capture() {
    return new LogCapture();
  }

  @Override
  protected synchronized void append(ILoggingEvent event) {
    event.prepareForDeferredProcessing();
    events.add(event);
  }

  /** Returns the formatted messages. */
  public synchronized List<String> messages() {
    return events.stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.toList());
  }

  /** Returns the formatted warnings and errors. */
  public synchronized List<String> warnings() {
    return events.stream()
        .filter(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN))
        .map(ILoggingEvent::getFormattedMessage)
        .collect(Collectors.toList());
  }

  /** Everything printed: messages, thread names, throwables with their causes and frames. */
  public synchronized String everything() {
    StringBuilder sb = new StringBuilder();
    for (ILoggingEvent event : events) {
      sb.append(event.getLevel()).append(' ').append(event.getThreadName()).append(' ')
          .append(event.getFormattedMessage()).append('\n');
      for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
        sb.append(t.getClassName()).append(": ").append(t.getMessage()).append('\n');
        for (StackTraceElementProxy frame : t.getStackTraceElementProxyArray()) {
          sb.append(frame.getSTEAsString()).append('\n');
        }
      }
    }
    return sb.toString();
  }

  @Override
  public void close() {
    logger.detachAppender(this);
    stop();
  }
}
