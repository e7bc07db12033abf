// The severity a log line was written at, read from the spellings that Python logging, uvicorn,
// Go and JSON loggers use. Only the order matters to the analysis: errors are classified,
// warnings are counted apart, everything else is only counted.

/// How severe a log record says it is; `unknown` when the line names no level.
public enum LogLevel: UInt8, Comparable, Sendable {
  case unknown
  case trace
  case debug
  case info
  case warning
  case error
  case critical

  public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
    lhs.rawValue < rhs.rawValue
  }

  /// The level spelled by `bytes[range]` in any letter case (`ERROR`, `warn`, `Fatal`), or `nil`.
  @inline(__always)
  static func named(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> LogLevel? {
    let length = end - start
    guard length >= 3 && length <= 8 else { return nil }
    // Folding to lower case with one OR is safe here: only letters reach the comparison.
    var word: UInt64 = 0
    for index in start..<end {
      let byte = bytes[index]
      guard (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A else { return nil }
      word = word << 8 | UInt64(byte | 0x20)
    }
    switch word {
    case 0x6572_726F_72: return .error  // error
    case 0x696E_666F: return .info  // info
    case 0x7761_726E_696E_67: return .warning  // warning
    case 0x7761_726E: return .warning  // warn
    case 0x6465_6275_67: return .debug  // debug
    case 0x6372_6974_6963_616C: return .critical  // critical
    case 0x6661_7461_6C: return .critical  // fatal
    case 0x7472_6163_65: return .trace  // trace
    case 0x6E6F_7469_6365: return .info  // notice
    case 0x6572_72: return .error  // err
    case 0x6372_6974: return .critical  // crit
    case 0x7061_6E69_63: return .critical  // panic
    case 0x7365_7665_7265: return .error  // severe
    case 0x656D_6572_67: return .critical  // emerg
    case 0x616C_6572_74: return .critical  // alert
    default: return nil
    }
  }

  /// The level of a numeric JSON `level` (pino and bunyan use 10 … 60 in steps of ten).
  static func numbered(_ value: Int) -> LogLevel {
    switch value {
    case ..<20: return .trace
    case 20..<30: return .debug
    case 30..<40: return .info
    case 40..<50: return .warning
    case 50..<60: return .error
    default: return .critical
    }
  }
}
