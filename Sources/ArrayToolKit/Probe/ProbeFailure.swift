// The kinds of failure a probe can find, and the error value that carries one through the phases.
// The raw values are part of the `--json` output and of the manual, so they never change.

/// What went wrong in a probe, in terms a person can act on.
public enum ProbeErrorKind: String, Sendable, CaseIterable, Codable {
  /// The resolver did not answer (`EAI_AGAIN`, or no answer before the timeout).
  case dnsTemporary = "dns_temporary"
  /// The resolver answered that the name does not exist (`EAI_NONAME`).
  case dnsNotFound = "dns_not_found"
  /// The resolver failed for another reason (`EAI_FAIL`, `EAI_SYSTEM`, ...).
  case dnsFailed = "dns_failed"
  /// The name exists but has no IPv4 or IPv6 address (`EAI_NODATA`, `EAI_ADDRFAMILY`).
  case noAddress = "no_address"
  /// The host answered that nothing listens on the port (`ECONNREFUSED`).
  case connectionRefused = "connection_refused"
  /// The host cannot be reached from here (`ENETUNREACH`, `EHOSTUNREACH`).
  case unreachable = "unreachable"
  /// No answer within `--timeout`.
  case timeout = "timeout"
  /// The connection broke or could not be made for another reason (`ECONNRESET`, ...).
  case connectionFailed = "connection_failed"
  /// The TLS handshake failed (certificate, protocol).
  case tls = "tls"
  /// The server answered with a status other than 2xx.
  case httpStatus = "http_status"
  /// The server answered its health check but says it cannot do its work.
  case unhealthy = "unhealthy"
  /// vmagent holds more data waiting to be sent than it should.
  case queueBacklog = "queue_backlog"
  /// vmagent has thrown data away.
  case droppingData = "dropping_data"
  /// The server answered with something that is not what this server sends.
  case badResponse = "bad_response"
  /// The sample written by `--write-test` could not be written or was not read back in time.
  case writeTestFailed = "write_test_failed"
}

/// A failed step of a probe: its kind and one line saying what exactly happened.
public struct ProbeFailure: Error, Equatable, Sendable {
  /// What went wrong.
  public var kind: ProbeErrorKind
  /// One line naming the host, address or URL involved, such as
  /// `127.0.0.1:8429: connection refused`.
  public var message: String

  /// A failure of `kind` described by `message`.
  public init(_ kind: ProbeErrorKind, _ message: String) {
    self.kind = kind
    self.message = message
  }
}

extension ProbeErrorKind {
  /// Whether a failure of this kind means the server answered something: an HTTP status, a
  /// page that says something else; false for failures to resolve, connect or hear back.
  public var isAnswer: Bool {
    switch self {
    case .dnsTemporary, .dnsNotFound, .dnsFailed, .noAddress, .connectionRefused, .unreachable,
      .timeout, .connectionFailed, .tls:
      return false
    case .httpStatus, .unhealthy, .queueBacklog, .droppingData, .badResponse, .writeTestFailed:
      return true
    }
  }
}
