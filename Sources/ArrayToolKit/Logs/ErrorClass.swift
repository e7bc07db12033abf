// The kinds of failure `analyze-logs` recognises, named as its JSON output names them, and the
// kinds of warning it counts apart. A class says what broke (the resolver, the network, the
// HTTP server, an archive, the machine), which decides what the report advises.

/// What kind of failure an error record reports.
public enum ErrorClass: String, CaseIterable, Sendable {
  case dnsTemporary = "dns_temporary"
  case dnsNotFound = "dns_not_found"
  case connectionRefused = "connection_refused"
  case timeout
  case http5xx = "http_5xx"
  case http429 = "http_429"
  case corruptArchive = "corrupt_archive"
  case tarError = "tar_error"
  case zipError = "zip_error"
  case outOfMemory = "out_of_memory"
  case diskFull = "disk_full"
  /// Recognised by none of the above; grouped by the message's template instead.
  case other

  /// The position of the class in `allCases`, for tables indexed by class.
  var ordinal: Int {
    switch self {
    case .dnsTemporary: return 0
    case .dnsNotFound: return 1
    case .connectionRefused: return 2
    case .timeout: return 3
    case .http5xx: return 4
    case .http429: return 5
    case .corruptArchive: return 6
    case .tarError: return 7
    case .zipError: return 8
    case .outOfMemory: return 9
    case .diskFull: return 10
    case .other: return 11
    }
  }

  /// A short description for the report, such as `temporary DNS failure`.
  public var title: String {
    switch self {
    case .dnsTemporary: return "temporary DNS failure"
    case .dnsNotFound: return "host name not found"
    case .connectionRefused: return "connection refused"
    case .timeout: return "timeout"
    case .http5xx: return "HTTP server error (5xx)"
    case .http429: return "HTTP 429 Too Many Requests"
    case .corruptArchive: return "corrupt archive"
    case .tarError: return "tar error"
    case .zipError: return "zip error"
    case .outOfMemory: return "out of memory"
    case .diskFull: return "disk full"
    case .other: return "other error"
    }
  }

  /// Whether one error of this class is an incident by itself: one damaged archive or one full
  /// disk already loses data, while one refused connection among many successful ones does not.
  public var standsAlone: Bool {
    switch self {
    case .corruptArchive, .tarError, .zipError, .outOfMemory, .diskFull: return true
    default: return false
    }
  }

  /// Whether the class is about reading an archive, so that the file it names was skipped.
  public var isArchive: Bool {
    self == .corruptArchive || self == .tarError || self == .zipError
  }

  /// Whether the class is about reaching another service over the network.
  public var isNetwork: Bool {
    switch self {
    case .dnsTemporary, .dnsNotFound, .connectionRefused, .timeout, .http5xx, .http429: return true
    default: return false
    }
  }
}

/// What kind of warning a warning record is; warnings are counted, never turned into incidents.
public enum WarningKind: String, CaseIterable, Sendable {
  case unknownMetric = "unknown_metric"
  case unknownResource = "unknown_resource"
  case skippedFile = "skipped_file"
  case retry
  case other
}
