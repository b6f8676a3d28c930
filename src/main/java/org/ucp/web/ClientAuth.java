package org.ucp.web;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authorization.Authorization;
import io.vertx.ext.auth.authorization.RoleBasedAuthorization;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthorizationHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.SimpleAuthenticationHandler;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.ucp.security.ClientAccess;
import org.ucp.security.ClientAccess.Refusal;
import org.ucp.security.ClientRole;
import org.ucp.security.ClientTokens;

/**
 * Client tokens on the HTTP API, with Vert.x Web's own handlers: an authentication handler finds
 * the token ({@code Authorization: Bearer ...}, or the dashboard's {@code ucp_token} cookie) and
 * makes its holder the request's user with the roles the token grants; an authorization handler
 * per route requires a role. On an open node (no tokens) both let everything through.
 */
final class ClientAuth {
  /** The cookie the dashboard keeps its token in (SameSite=Strict, so no other site sends it). */
  static final String COOKIE = "ucp_token";
  private static final String PROVIDER = "ucp-token";
  private static final Handler<RoutingContext> PASS = RoutingContext::next;

  private final ClientAccess access;

  ClientAuth(ClientAccess access) {
    this.access = access;
  }

  /** Finds the request's token and its holder; 401 when there is none or it is unknown. */
  Handler<RoutingContext> authenticate() {
    if (access.isOpen()) {
      return PASS;
    }
    return SimpleAuthenticationHandler.create().authenticate(ctx -> {
      String token = token(ctx);
      if (token == null) {
        return refuse(ctx, Refusal.MISSING, 401, "a client token is needed: send Authorization: Bearer <token>");
      }
      Optional<ClientTokens.Holder> holder = access.holder(token);
      if (holder.isEmpty()) {
        return refuse(ctx, Refusal.UNKNOWN, 401, "the client token is not one of this cluster's");
      }
      User user = User.fromName(holder.get().name());
      Set<Authorization> roles = holder.get().role().granted().stream()
          .map(r -> (Authorization) RoleBasedAuthorization.create(r.id()))
          .collect(Collectors.toSet());
      user.authorizations().put(PROVIDER, roles);
      user.attributes().put("role", holder.get().role().id());
      return Future.succeededFuture(user);
    });
  }

  /** Lets the request on only when its user holds {@code role}. */
  Handler<RoutingContext> require(ClientRole role) {
    if (access.isOpen()) {
      return PASS;
    }
    Handler<RoutingContext> check = AuthorizationHandler.create(RoleBasedAuthorization.create(role.id()));
    return ctx -> {
      ctx.put("ucp.required", role);
      check.handle(ctx);
    };
  }

  /**
   * Whether the request's token may cancel the job submitted with the token named {@code
   * submittedBy} (null: none): an admin may cancel any job, a token of role submit only its own;
   * on an open node, anyone. A refusal is counted and logged as any other role refusal.
   */
  boolean mayCancel(RoutingContext ctx, String jobId, String submittedBy) {
    if (access.isOpen() || ctx.user() == null) {
      return access.isOpen();
    }
    String role = ctx.user().attributes().getString("role");
    if (ClientRole.ADMIN.id().equals(role) || ctx.user().subject().equals(submittedBy)) {
      return true;
    }
    access.refused(Refusal.FORBIDDEN, what(ctx) + " (job " + jobId + ")", from(ctx) + " (" + ctx.user().subject() + ")");
    return false;
  }

  /**
   * The router's failure handler: refusals become JSON answers ({@code WWW-Authenticate} on 401);
   * a refused role is counted here (a refused token was counted when it was checked).
   */
  void failure(RoutingContext ctx) {
    int status = ctx.statusCode() < 0 ? 500 : ctx.statusCode();
    String message;
    if (status == 403 && ctx.get("ucp.required") instanceof ClientRole role && ctx.user() != null) {
      access.refused(Refusal.FORBIDDEN, what(ctx), from(ctx) + " (" + ctx.user().subject() + ")");
      message = "the token of '" + ctx.user().subject() + "' has role " + ctx.user().attributes().getString("role")
          + "; this needs " + role.id();
    } else if (ctx.failure() instanceof HttpException h && h.getPayload() != null) {
      message = h.getPayload();
    } else {
      message = status == 413 ? "the body is too large" : "request failed (" + status + ")";
    }
    if (status == 401) {
      ctx.response().putHeader("www-authenticate", "Bearer realm=\"ucp\"");
    }
    if (!ctx.response().ended()) {
      Answers.error(ctx, status, message);
    }
  }

  private Future<User> refuse(RoutingContext ctx, Refusal why, int status, String message) {
    access.refused(why, what(ctx), from(ctx));
    return Future.failedFuture(new HttpException(status, message));
  }

  private static String token(RoutingContext ctx) {
    String token = ClientTokens.bearer(ctx.request().getHeader("authorization"));
    if (token != null) {
      return token;
    }
    Cookie cookie = ctx.request().getCookie(COOKIE);
    return cookie == null ? null : cookie.getValue();
  }

  private static String what(RoutingContext ctx) {
    return ctx.request().method() + " " + ctx.request().path();
  }

  private static String from(RoutingContext ctx) {
    return String.valueOf(ctx.request().remoteAddress());
  }
}
