// Reads JSON log lines (one object per line, as structlog, python-json-logger, pino, zap or
// docker's json-file driver write them) without building a document: one pass over the top-level
// keys picks the time, level, message, worker and HTTP status under their common names. Strings
// are decoded only for records that are kept, and nested values are skipped whole.

/// The fields of one JSON log line that the analysis uses, as ranges of the line.
struct JSONLogFields {
  var time: LogTime?
  /// Whether a time key held a value that is no time (`"2025-02-30T01:15:00Z"`, `1e308`), and
  /// none held one that is.
  var timeIsInvalid = false
  var level: LogLevel?
  /// The bytes between the quotes of the message value; escapes still encoded.
  var message: Range<Int>?
  /// Whether the message came from docker's `log` key and may hold a whole log line itself.
  var messageIsEmbeddedLine = false
  var worker: Int?
  var status = 0
  /// Where the object ends (just past `}`).
  var end = 0
}

/// Scanning and decoding of JSON log lines.
enum JSONLogLine {
  private enum Role {
    case time, level, message(priority: Int, embedded: Bool), worker, status, other
  }

  /// Reads the object that starts at `start` (a `{`); `nil` when the line is not valid JSON.
  static func scan(
    _ line: UnsafeBufferPointer<UInt8>, from start: Int, timestamps: inout TimestampReader
  ) -> JSONLogFields? {
    var fields = JSONLogFields()
    var messagePriority = Int.max
    var index = start + 1
    while true {
      index = JSONGrammar.skipSpace(line, index)
      guard index < line.count else { return nil }
      if line[index] == 0x7D { break }
      guard line[index] == 0x22, let keyEnd = JSONGrammar.stringEnd(line, index) else { return nil }
      let role = self.role(line, index + 1, keyEnd - 1)
      index = JSONGrammar.skipSpace(line, keyEnd)
      guard index < line.count, line[index] == 0x3A else { return nil }
      let valueStart = JSONGrammar.skipSpace(line, index + 1)
      guard let valueEnd = JSONGrammar.valueEnd(line, valueStart) else { return nil }
      let isString = line[valueStart] == 0x22
      let inner = isString ? (valueStart + 1)..<(valueEnd - 1) : valueStart..<valueEnd
      switch role {
      case .time where fields.time == nil:
        fields.time = time(line, inner, isString: isString, timestamps: &timestamps)
        // `null` or `""` says that there is no time, not that it is wrong.
        fields.timeIsInvalid = fields.time == nil && !inner.isEmpty && line[valueStart] != 0x6E
      case .level where fields.level == nil:
        if isString {
          fields.level = LogLevel.named(line, inner.lowerBound, inner.upperBound)
        } else if let number = integer(line, inner) {
          fields.level = LogLevel.numbered(number)
        }
      case .message(let priority, let embedded) where isString && priority < messagePriority:
        messagePriority = priority
        fields.message = inner
        fields.messageIsEmbeddedLine = embedded
      case .worker where fields.worker == nil:
        fields.worker = integer(line, inner)
      case .status where fields.status == 0:
        if let status = integer(line, inner), (100...599).contains(status) {
          fields.status = status
        }
      default:
        break
      }
      index = JSONGrammar.skipSpace(line, valueEnd)
      guard index < line.count else { return nil }
      if line[index] == 0x2C {
        index += 1
      } else if line[index] != 0x7D {
        return nil
      }
    }
    fields.end = index + 1
    return fields
  }

  /// Appends a line of `key=value` pairs for the top-level fields that are not the time, level,
  /// message or worker, so that classification also sees fields such as `error`, `exc_info` or
  /// `host` while the message stays the first line. The worker is kept as a field instead, so
  /// that one message from many workers stays one message.
  static func appendOtherFields(
    _ line: UnsafeBufferPointer<UInt8>, from start: Int, into text: inout [UInt8], limit: Int
  ) {
    var index = start + 1
    let budgetEnd = text.count + limit
    var separator: UInt8 = 0x0A
    while text.count < budgetEnd {
      index = JSONGrammar.skipSpace(line, index)
      guard index < line.count, line[index] == 0x22,
        let keyEnd = JSONGrammar.stringEnd(line, index)
      else { return }
      let key = (index + 1)..<(keyEnd - 1)
      let role = self.role(line, key.lowerBound, key.upperBound)
      index = JSONGrammar.skipSpace(line, keyEnd)
      guard index < line.count, line[index] == 0x3A else { return }
      let valueStart = JSONGrammar.skipSpace(line, index + 1)
      guard let valueEnd = JSONGrammar.valueEnd(line, valueStart) else { return }
      switch role {
      case .time, .level, .message, .worker:
        break
      default:
        text.append(separator)
        separator = 0x20
        text.append(contentsOf: UnsafeBufferPointer(rebasing: line[key]))
        text.append(0x3D)
        if line[valueStart] == 0x22 {
          decodeString(line, (valueStart + 1)..<(valueEnd - 1), into: &text)
        } else {
          text.append(contentsOf: UnsafeBufferPointer(rebasing: line[valueStart..<valueEnd]))
        }
      }
      index = JSONGrammar.skipSpace(line, valueEnd)
      guard index < line.count, line[index] == 0x2C else { return }
      index += 1
    }
  }

  /// Decodes the JSON string body `line[range]` (without quotes) and appends it as UTF-8.
  static func decodeString(
    _ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into text: inout [UInt8]
  ) {
    var index = range.lowerBound
    while index < range.upperBound {
      let byte = line[index]
      guard byte == 0x5C, index + 1 < range.upperBound else {
        text.append(byte)
        index += 1
        continue
      }
      let escaped = line[index + 1]
      index += 2
      switch escaped {
      case 0x6E: text.append(0x0A)
      case 0x74: text.append(0x09)
      case 0x72: text.append(0x0D)
      case 0x62: text.append(0x08)
      case 0x66: text.append(0x0C)
      case 0x75:
        guard var scalar = hex4(line, index, range.upperBound) else { continue }
        index += 4
        if (0xD800..<0xDC00).contains(scalar), index + 6 <= range.upperBound,
          line[index] == 0x5C, line[index + 1] == 0x75,
          let low = hex4(line, index + 2, range.upperBound), (0xDC00..<0xE000).contains(low)
        {
          scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
          index += 6
        }
        appendScalar(scalar, to: &text)
      default: text.append(escaped)
      }
    }
  }

  // MARK: - Keys and values

  /// What a key means, by its common spellings.
  private static func role(_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Role {
    let key = UnsafeBufferPointer(rebasing: line[start..<end])
    switch key.count {
    case 1:
      return key[0] == 0x74 ? .time : .other
    case 2...16:
      break
    default:
      return .other
    }
    switch String(decoding: key, as: UTF8.self) {
    case "time", "timestamp", "@timestamp", "ts", "asctime", "datetime", "date", "@t":
      return .time
    case "level", "levelname", "severity", "lvl", "loglevel", "log.level", "level_name",
      "log_level", "@l":
      return .level
    case "message", "@m", "@mt": return .message(priority: 0, embedded: false)
    case "msg": return .message(priority: 1, embedded: false)
    case "event": return .message(priority: 2, embedded: false)
    case "text": return .message(priority: 3, embedded: false)
    case "log": return .message(priority: 4, embedded: true)
    case "worker", "worker_id", "workerId", "worker_no": return .worker
    case "status", "status_code", "statusCode", "http_status", "response_status": return .status
    default: return .other
    }
  }

  /// A time value: an ISO or Python timestamp string, or seconds (or milliseconds, microseconds,
  /// nanoseconds) since 1970 as a number.
  private static func time(
    _ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, isString: Bool,
    timestamps: inout TimestampReader
  ) -> LogTime? {
    if isString, let (time, end) = timestamps.read(line, at: range.lowerBound),
      end <= range.upperBound
    {
      return time
    }
    let digits = String(decoding: UnsafeBufferPointer(rebasing: line[range]), as: UTF8.self)
    guard let number = Double(digits), number.isFinite, number > 0
    else { return nil }
    let milliseconds: Double
    switch number {
    case 1e17...: milliseconds = number / 1e6
    case 1e14...: milliseconds = number / 1e3
    case 1e11...: milliseconds = number
    default: milliseconds = number * 1000
    }
    guard milliseconds < 253_402_300_800_000 else { return nil }
    return LogTime(milliseconds: Int64(milliseconds.rounded()))
  }

  /// A whole number written bare or as a string of digits.
  private static func integer(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
    guard !range.isEmpty, range.count <= 12 else { return nil }
    return line.number(at: range.lowerBound, digits: range.count)
  }

  private static func hex4(_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UInt32?
  {
    guard start + 4 <= end else { return nil }
    var value: UInt32 = 0
    for index in start..<(start + 4) {
      let byte = line[index]
      let digit: UInt8
      switch byte {
      case 0x30...0x39: digit = byte - 0x30
      case 0x41...0x46: digit = byte - 0x41 + 10
      case 0x61...0x66: digit = byte - 0x61 + 10
      default: return nil
      }
      value = value << 4 | UInt32(digit)
    }
    return value
  }

  private static func appendScalar(_ value: UInt32, to text: inout [UInt8]) {
    let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
    UTF8.encode(scalar) { text.append($0) }
  }
}
