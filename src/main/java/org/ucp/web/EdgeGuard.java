package org.ucp.web;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The HTTP API's first check, before any route:
 * <ul>
 *   <li>the {@code Host} header must name an IP address, {@code localhost} or one of
 *       {@code http.allowedHosts}: a page that rebinds its own domain name to this node's address
 *       cannot talk to it (DNS rebinding);
 *   <li>a request that changes something (POST, PUT, DELETE) from a page of another origin
 *       ({@code Origin} not this host) is refused, and so are the content types an HTML form or a
 *       plain cross-site {@code fetch} may send without asking ({@code text/plain},
 *       {@code application/x-www-form-urlencoded}, {@code multipart/form-data}): no web page can
 *       submit jobs or declare emergencies through a visitor's browser (CSRF).
 * </ul>
 */
final class EdgeGuard {
  private static final Set<String> FORM_TYPES = Set.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data");
  private static final Set<HttpMethod> CHANGES = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.PATCH);

  private final Set<String> allowedHosts;

  EdgeGuard(List<String> allowedHosts) {
    this.allowedHosts = Set.copyOf(allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList());
  }

  void check(RoutingContext ctx) {
    String host = ctx.request().getHeader("host");
    String hostName = host == null ? null : hostName(host);
    if (host != null && !served(hostName)) {
      refuse(ctx, 403, "Host '" + host + "' is not a name this node answers to (an IP address, localhost, or http.allowedHosts)");
      return;
    }
    if (CHANGES.contains(ctx.request().method())) {
      String origin = ctx.request().getHeader("origin");
      if (origin != null && !sameOrigin(origin, host)) {
        refuse(ctx, 403, "cross-origin request refused: Origin " + origin + " is not this node (" + host + ")");
        return;
      }
      String type = ctx.request().getHeader("content-type");
      int semicolon = type == null ? -1 : type.indexOf(';');
      String mediaType = type == null ? "" : (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
      if (FORM_TYPES.contains(mediaType)) {
        refuse(ctx, 415, "content-type " + mediaType + " is refused for changes (a web form could send it); send "
            + "application/json, or application/octet-stream for data");
        return;
      }
    }
    ctx.next();
  }

  private boolean served(String name) {
    return name.isEmpty() || name.equals("localhost") || isIpLiteral(name) || allowedHosts.contains(name);
  }

  /** The host name of a Host header: lower case, no port, no IPv6 brackets. */
  static String hostName(String hostHeader) {
    String h = hostHeader.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? h : h.substring(1, end);
    }
    int colon = h.lastIndexOf(':');
    return colon < 0 ? h : h.substring(0, colon);
  }

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-f:.]+");

  static boolean isIpLiteral(String name) {
    return IPV4.matcher(name).matches() || (name.contains(":") && IPV6.matcher(name).matches());
  }

  private static boolean sameOrigin(String origin, String host) {
    if (host == null) {
      return false;
    }
    try {
      URI uri = URI.create(origin.trim());
      String authority = uri.getRawAuthority();
      return authority != null && authority.equalsIgnoreCase(host.trim());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static void refuse(RoutingContext ctx, int status, String message) {
    Answers.error(ctx, status, message);
  }
}
