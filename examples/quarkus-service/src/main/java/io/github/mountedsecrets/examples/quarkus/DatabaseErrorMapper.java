package io.github.mountedsecrets.examples.quarkus;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.sql.SQLException;
import org.jboss.logging.Logger;

/**
 * Answers a failed query with 503 and {@code {"error":"database unavailable"}}, and logs its
 * exception type and SQLState only: JDBC drivers put user names, and sometimes more, in their
 * messages.
 */
@Provider
public class DatabaseErrorMapper implements ExceptionMapper<SQLException> {
  private static final Logger LOG = Logger.getLogger(DatabaseErrorMapper.class);

  @Override
  public Response toResponse(SQLException exception) {
    LOG.warnf("query failed: %s (SQLState %s)", exception.getClass().getName(), exception.getSQLState());
    return Response.status(Response.Status.SERVICE_UNAVAILABLE)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(ErrorBody.DATABASE_UNAVAILABLE)
        .build();
  }
}
