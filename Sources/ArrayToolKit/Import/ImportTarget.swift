// Where batches go: a base URL as the user gives it (vmagent, a single VictoriaMetrics or a
// cluster vminsert prefix) turned into the import endpoint, with credentials kept out of sight.

import Foundation

/// One server that accepts imports.
public struct ImportTarget: Equatable, Sendable {
  /// The base as given, without credentials.
  public let base: URL
  /// `base` + `/api/v1/import`.
  public let importURL: URL

  /// Parses a base URL such as `http://127.0.0.1:8429` or
  /// `http://vminsert:8480/insert/0/prometheus`; without a scheme, `http://` is meant, as in
  /// `probe`.
  /// - Throws: `UsageError` naming `flag` (an option, or the environment variable the URL came
  ///   from) when it is not an http(s) URL with a host.
  public init(base text: String, flag: String = "--url") throws {
    // `http//vm:8428` would otherwise be read as a server named `http`.
    let lowered = text.lowercased()
    for scheme in ["https", "http"] where !lowered.hasPrefix(scheme + "://") {
      if lowered.hasPrefix(scheme + "//") || lowered.hasPrefix(scheme + ":/") {
        throw UsageError(
          "invalid \(flag) '\(ImportTarget.redacted(text))': the scheme is written \(scheme)://",
          command: "import")
      }
    }
    let full = text.contains("://") ? text : "http://" + text
    guard var components = URLComponents(string: full), let scheme = components.scheme?.lowercased(),
      scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
    else {
      throw UsageError(
        "invalid \(flag) '\(ImportTarget.redacted(text))': expected host:port, http://host:port "
          + "or https://host:port, optionally with a path prefix", command: "import")
    }
    // Foundation takes any number as a port and fails only when sending, as if the server
    // were unreachable: a port that cannot exist is a mistake in the command.
    if let port = components.port, !(1...65535).contains(port) {
      throw UsageError(
        "invalid \(flag) '\(ImportTarget.redacted(text))': the port must be from 1 to 65535",
        command: "import")
    }
    components.user = nil
    components.password = nil
    components.query = nil
    components.fragment = nil
    var path = components.path
    while path.hasSuffix("/") { path.removeLast() }
    for suffix in ["/api/v1/import", "/api/v1/write"] where path.hasSuffix(suffix) {
      path.removeLast(suffix.count)
    }
    components.path = path
    guard let base = components.url,
      let importURL = URL(string: base.absoluteString + "/api/v1/import")
    else {
      throw UsageError("invalid \(flag) '\(ImportTarget.redacted(text))'", command: "import")
    }
    self.base = base
    self.importURL = importURL
  }

  /// The host name or address of the target.
  public var host: String { base.host ?? "" }

  /// The port, explicit or implied by the scheme.
  public var port: Int { base.port ?? (base.scheme == "https" ? 443 : 80) }

  /// Whether the target is on this machine, where compressing bodies costs more than it saves.
  public var isLoopback: Bool {
    let host = self.host.lowercased()
    return host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
  }

  /// `text` with any `user:password@` replaced, for messages.
  public static func redacted(_ text: String) -> String {
    guard let at = text.firstIndex(of: "@"), let scheme = text.range(of: "://"),
      scheme.upperBound < at
    else { return text }
    return String(text[..<scheme.upperBound]) + "***@" + String(text[text.index(after: at)...])
  }
}
