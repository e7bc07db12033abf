// The address of a server as the user gave it (`--url`, `ARRAYTOOL_URL`), checked once and split
// into the parts each phase needs: the host to resolve, the port to connect to, the scheme that
// decides between plain HTTP and TLS, and a path prefix for servers behind a reverse proxy.

import Foundation

/// A validated server URL such as `http://vmagent:8429`.
public struct ProbeEndpoint: Equatable, Sendable {
  /// `http` or `https`.
  public let scheme: String
  /// The host name or IP address, without the brackets of an IPv6 literal.
  public let host: String
  /// The TCP port, the scheme's default (80, 443) when the URL names none.
  public let port: Int
  /// A path prefix without a trailing slash, such as `/vmagent`; empty for none.
  public let basePath: String
  /// `user:password` from the URL, sent as HTTP basic authentication.
  let credentials: String?

  /// Reads `text`; a URL without a scheme (`vmagent:8429`) is taken as `http://`.
  /// - Throws: `ProbeEndpoint.Invalid` saying what is wrong.
  public init(parsing text: String) throws {
    // `http//vm:8428` or `http:/vm:8428` would otherwise be read as a server named `http`.
    let lowered = text.lowercased()
    for scheme in ["https", "http"] where !lowered.hasPrefix(scheme + "://") {
      if lowered.hasPrefix(scheme + "//") || lowered.hasPrefix(scheme + ":/") {
        throw Invalid(text: text, reason: "the scheme is written \(scheme)://")
      }
    }
    let full = text.contains("://") ? text : "http://" + text
    guard let parts = URLComponents(string: full), let scheme = parts.scheme?.lowercased() else {
      throw Invalid(text: text, reason: "not a URL")
    }
    guard scheme == "http" || scheme == "https" else {
      throw Invalid(text: text, reason: "the scheme must be http or https")
    }
    var host = parts.host ?? ""
    if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    guard !host.isEmpty else { throw Invalid(text: text, reason: "there is no host") }
    let port = parts.port ?? (scheme == "https" ? 443 : 80)
    guard (1...65535).contains(port) else {
      throw Invalid(text: text, reason: "the port must be from 1 to 65535")
    }
    guard parts.query == nil, parts.fragment == nil else {
      throw Invalid(text: text, reason: "give the server's base URL, without ? or #")
    }
    self.scheme = scheme
    self.host = host
    self.port = port
    var path = parts.percentEncodedPath
    while path.hasSuffix("/") { path.removeLast() }
    basePath = path
    credentials = parts.user.map { user in user + ":" + (parts.password ?? "") }
  }

  /// Why a URL was refused.
  public struct Invalid: Error, Equatable {
    /// The URL as given.
    public var text: String
    /// What is wrong with it.
    public var reason: String
  }

  /// The URL to show: scheme, host, port and path, never the password.
  public var display: String {
    let shownHost = host.contains(":") ? "[\(host)]" : host
    return "\(scheme)://\(shownHost):\(port)\(basePath)"
  }

  /// The URL of `path` (which starts with `/`) on this server, as text.
  public func url(_ path: String) -> String {
    display + path
  }

  /// The value of the `Host` header: the port is left out when it is the scheme's default.
  var hostHeader: String {
    let shownHost = host.contains(":") ? "[\(host)]" : host
    let defaultPort = scheme == "https" ? 443 : 80
    return port == defaultPort ? shownHost : "\(shownHost):\(port)"
  }

  /// The `Authorization` header value for the URL's credentials.
  var authorization: String? {
    credentials.map { "Basic " + Data($0.utf8).base64EncodedString() }
  }

  /// `basePath` joined with `path`.
  func requestPath(_ path: String) -> String {
    basePath + path
  }
}
