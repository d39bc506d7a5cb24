package org.orchestrator.http.support;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.json.schema.common.dsl.SchemaType;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatableRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.orchestrator.contracts.Failure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the OpenAPI validator each query and path value exactly as the client encoded it, decoded
 * once by {@link QueryString}. It replaces vertx-openapi 5.0's own extraction, which decodes query
 * values a second time (eclipse-vertx/vertx-openapi#117, #124: {@code %2541} became {@code A},
 * {@code %2B} a space, {@code %25} a 400) and whose transformer reads a string value that looks like
 * JSON as JSON ({@code "quoted"} lost its quotes). So:
 * <ul>
 *   <li>a string parameter goes to the validator as a JSON string literal, which its transformer
 *   turns back into exactly the decoded text, whatever characters it holds;</li>
 *   <li>an integer parameter must be an optional minus and decimal digits that fit 64 bits (else 400
 *   "out of range", never a wrapped or rounded number) and goes on in canonical form;</li>
 *   <li>a single-valued query parameter given twice is a 400 naming it, and NUL is refused in every
 *   value (PostgreSQL cannot store it).</li>
 * </ul>
 * {@link #refuseMalformed} stands first on the root router: a malformed query string or path is a
 * 400 before anything (the gate, Vert.x Web's routing) tries to decode it.
 */
public final class ExactParameters implements RequestExtractor {

  private static final Logger LOG = LoggerFactory.getLogger(ExactParameters.class);
  private static final String PARSED_QUERY = ExactParameters.class.getName() + ".query";
  private static final Pattern WHOLE = Pattern.compile("-?[0-9]+");
  private static final RequestParameter ABSENT = () -> null;

  /** @throws IllegalStateException when the contract has a parameter this reading does not cover */
  public ExactParameters(OpenAPIContract contract) {
    List<String> unsupported = new ArrayList<>();
    contract.operations().forEach(operation -> operation.getParameters().forEach(parameter -> {
      boolean located = parameter.getIn() == Location.QUERY || parameter.getIn() == Location.PATH;
      boolean scalar = parameter.getSchemaType() != SchemaType.ARRAY && parameter.getSchemaType() != SchemaType.OBJECT;
      if (!located || !scalar) {
        unsupported.add(operation.getOperationId() + ":" + parameter.getName());
      }
    }));
    if (!unsupported.isEmpty()) {
      throw new IllegalStateException("parameters that are not scalar query or path values: " + unsupported);
    }
  }

  /** Root handler: 400 for a query string or path that is not well-formed percent-encoded UTF-8. */
  public static void refuseMalformed(RoutingContext ctx) {
    try {
      QueryString.checkPath(ctx.request().path());
      ctx.put(PARSED_QUERY, QueryString.parse(ctx.request().query()));
    } catch (QueryString.Malformed e) {
      LOG.info("{} refused: {}", ctx.request().method(), e.getMessage());
      // answered here: failing the context would route it to the failure handler, and Vert.x Web
      // matches routes against the path it cannot decode
      ErrorReplies.send(ctx.response(), Failure.badRequest(e.getMessage()));
      return;
    }
    ctx.next();
  }

  @Override
  public Future<ValidatableRequest> extractValidatableRequest(RoutingContext ctx, Operation operation) {
    try {
      QueryString query = ctx.get(PARSED_QUERY);
      if (query == null) {
        query = QueryString.parse(ctx.request().query());
      }
      Map<String, RequestParameter> path = new HashMap<>();
      Map<String, RequestParameter> queries = new HashMap<>();
      for (Parameter parameter : operation.getParameters()) {
        if (parameter.getIn() == Location.PATH) {
          path.put(parameter.getName(), value(parameter, ctx.pathParam(parameter.getName())));
        } else {
          queries.put(parameter.getName(), value(parameter, single(parameter, query.all(parameter.getName()))));
        }
      }
      Buffer body = operation.getRequestBody() == null ? null : ctx.body().buffer();
      String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
      return Future.succeededFuture(new Extracted(path, queries, () -> body, contentType));
    } catch (QueryString.Malformed e) {
      return Future.failedFuture(Failure.badRequest(e.getMessage()));
    } catch (Failure e) {
      return Future.failedFuture(e);
    }
  }

  private static String single(Parameter parameter, List<String> values) {
    if (values.size() > 1) {
      throw Failure.badRequest(parameter.getName() + " is given " + values.size() + " times; give it once");
    }
    return values.isEmpty() ? null : values.get(0);
  }

  /** The value as the validator's transformer must see it to arrive unchanged. */
  private static RequestParameter value(Parameter parameter, String decoded) {
    if (decoded == null) {
      return ABSENT;
    }
    String name = parameter.getName();
    if (decoded.indexOf('\0') >= 0) {
      throw Failure.badRequest(name + " must not contain a NUL character");
    }
    String forValidator = switch (parameter.getSchemaType()) {
      case STRING -> Json.encode(decoded);
      case INTEGER -> Long.toString(whole(name, decoded));
      default -> decoded;
    };
    return () -> forValidator;
  }

  /**
   * A decoded integer value, as the contract's integer parameters take it: decimal digits with an
   * optional minus that fit 64 bits, else a 400 naming the parameter.
   */
  public static long whole(String name, String decoded) {
    if (!WHOLE.matcher(decoded).matches()) {
      throw Failure.badRequest(name + " must be a whole number, not " + Json.encode(decoded));
    }
    try {
      return Long.parseLong(decoded);
    } catch (NumberFormatException e) {
      throw Failure.badRequest(name + " is out of range");
    }
  }

  /** What the validator validates: path and query values, the body; no headers or cookies are read. */
  private record Extracted(Map<String, RequestParameter> getPathParameters, Map<String, RequestParameter> getQuery,
      RequestParameter getBody, String getContentType) implements ValidatableRequest {

    @Override
    public Map<String, RequestParameter> getCookies() {
      return Map.of();
    }

    @Override
    public Map<String, RequestParameter> getHeaders() {
      return Map.of();
    }
  }
}
