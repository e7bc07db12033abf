// The two servers `arraytool probe` knows, and what differs between them: where they listen by
// default, which variable overrides that, where their health check is and which page holds the
// facts only they can tell.

/// A server the probe can check.
public enum ProbeTarget: String, CaseIterable, Sendable {
  case vmagent
  case victoriametrics

  /// The name people use for it.
  public var displayName: String {
    self == .vmagent ? "vmagent" : "VictoriaMetrics"
  }

  /// Where it listens when nothing else is said (both servers' own default ports).
  public var defaultURL: String {
    self == .vmagent ? "http://127.0.0.1:8429" : "http://127.0.0.1:8428"
  }

  /// The environment variable that replaces `defaultURL`.
  public var environmentVariable: String {
    self == .vmagent ? "ARRAYTOOL_URL" : "ARRAYTOOL_VM_URL"
  }

  /// The path that answers 200 when the server is up.
  public var healthPath: String {
    self == .vmagent ? "/-/healthy" : "/health"
  }

  /// The page read for server facts, which is also the name of that phase without the slash.
  public var factsPath: String {
    self == .vmagent ? "/metrics" : "/flags"
  }

  /// The URL from `environment`, or the default; an empty variable counts as unset.
  public func url(environment: [String: String]) -> String {
    guard let value = environment[environmentVariable], !value.isEmpty else { return defaultURL }
    return value
  }
}
