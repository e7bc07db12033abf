// How often and how patiently a batch is tried again: exponential backoff with jitter, and the
// line between failures worth retrying and those that retrying cannot fix.

/// Attempts and delays for one batch.
public struct RetryPolicy: Equatable, Sendable {
  /// Tries in all, the first one included.
  public var attempts: Int
  public var initialDelay: Double
  public var maxDelay: Double

  public init(attempts: Int = 6, initialDelay: Double = 0.5, maxDelay: Double = 8) {
    self.attempts = attempts
    self.initialDelay = initialDelay
    self.maxDelay = maxDelay
  }

  /// The wait before attempt `attempt + 1` after `attempt` failed (1-based): the doubled delay,
  /// capped, then jittered to between half and all of it so that senders do not retry in step.
  public func delay(after attempt: Int, jitter: Double) -> Double {
    let doubled = initialDelay * Double(1 << min(max(attempt - 1, 0), 30))
    let capped = min(doubled, maxDelay)
    return capped * (0.5 + 0.5 * min(max(jitter, 0), 1))
  }
}

extension RetryPolicy {
  /// `retry 2/6 in 500 ms`, or, for a batch whose stored samples are counted first, `count in
  /// 500 ms, then retry 2/6 unless all of it is stored`.
  static func announce(_ attempt: Int, of attempts: Int, in delay: Double, countsFirst: Bool)
    -> String
  {
    let wait = formatSeconds(delay)
    return countsFirst
      ? "count in \(wait), then retry \(attempt)/\(attempts) unless all of it is stored"
      : "retry \(attempt)/\(attempts) in \(wait)"
  }
}

/// Why a delivery attempt failed, in the terms the retry decision and the report need.
public struct DeliveryFailure: Error, Equatable, Sendable {
  public enum Kind: String, Sendable {
    /// The resolver did not answer (EAI_AGAIN): worth retrying.
    case dnsTemporary = "dns_temporary"
    /// The name does not exist: retrying cannot help.
    case dnsNotFound = "dns_not_found"
    case connectionRefused = "connection_refused"
    case connectionReset = "connection_reset"
    case timeout
    case tls
    /// 429 or 5xx: the server is busy or failing for now.
    case httpRetryable = "http_retryable"
    /// Another 4xx: the server refused the data; retrying sends the same refusal.
    case httpRejected = "http_rejected"
    case other
  }

  public var kind: Kind
  /// What happened, for a person (`503 Service Unavailable: …`).
  public var message: String
  public var status: Int?
  /// Whether the request had sent some of its body before it failed without an answer (a
  /// timeout, a reset, a cancellation) or with a 500, 502 or 504: the server may have stored the
  /// samples all the same.
  public var mayHaveArrived = false

  /// What a spooled batch's line adds when one of its requests may have arrived.
  public static let mayBeStoredNote =
    "a request was cut off after its body went out: it may be stored already, and --replay "
    + "checks before sending it"

  public init(_ kind: Kind, _ message: String, status: Int? = nil) {
    self.kind = kind
    self.message = message
    self.status = status
  }

  /// Whether the server could not be reached at all (rather than answering badly).
  public var isUnreachable: Bool {
    switch kind {
    case .dnsTemporary, .dnsNotFound, .connectionRefused, .timeout: return true
    default: return false
    }
  }

  /// Whether another attempt may succeed.
  public var isRetryable: Bool {
    switch kind {
    case .dnsNotFound, .httpRejected, .tls: return false
    default: return true
    }
  }
}
