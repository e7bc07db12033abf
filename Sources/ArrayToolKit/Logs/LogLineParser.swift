// Recognises, for each line on its own, which of the log styles it is written in and where its
// time, level and message are: Python logging (`2025-10-07 01:22:09,120 - ERROR - msg`,
// `[2025-10-07 01:22:09,120][ERROR] msg`, a logger name before the level), docker compose
// prefixes (`api-1  | `), `docker logs --timestamps` RFC 3339 prefixes, uvicorn (`INFO:     …`)
// and its access lines, JSON lines, and the continuation lines of a traceback. Styles are decided
// per line because one compose log interleaves services that log differently.

/// What one line is and where its parts are.
struct LineShape {
  enum Kind {
    /// The first line of a new record.
    case record
    /// A line that belongs to the record before it.
    case continuation
    /// `Traceback (most recent call last):` without a level: a continuation after an error, the
    /// start of an uncaught exception otherwise.
    case traceback
  }

  var kind: Kind
  var time: LogTime?
  /// Whether the line opens with a timestamp that is no time (February 30, hour 25): `time` is
  /// then `nil`, and the record takes the time of the one before it.
  var timeIsInvalid = false
  var level: LogLevel = .unknown
  var status = 0
  var worker: Int?
  /// The message within the line.
  var message: Range<Int>
  /// Whether `message` is the body of a JSON string that still needs decoding.
  var messageIsJSON = false
  /// Where the JSON object starts, for JSON lines.
  var jsonObject: Int?
  /// Whether the message is docker's `log` field holding a whole log line of its own.
  var embeddedLine = false
}

/// Turns lines into `LineShape`s. Keeps only the timestamp reader's memory of the last date.
struct LogLineParser {
  private var timestamps = TimestampReader()

  /// The shape of `line`. The common line is parsed where the reader calls this; the others
  /// take a call.
  @inline(__always)
  mutating func parse(_ line: UnsafeBufferPointer<UInt8>) -> LineShape {
    if let shape = parsePythonDefault(line) { return shape }
    return parseOther(line)
  }

  /// The shape of a line that is not in Python's default layout.
  @inline(never)
  private mutating func parseOther(_ line: UnsafeBufferPointer<UInt8>) -> LineShape {
    let count = line.count
    var index = 0
    if count > 0, !(line[0] &- 48 <= 9) { index = Self.composePrefixEnd(line) }

    var time: LogTime?
    // An RFC 3339 time alone before the text is `docker logs --timestamps`: the application's
    // own line follows after one space, indentation included.
    var dockerStamp = false
    // A timestamp that is no time is read past like a time, so that the line keeps its level and
    // message and an error in it is still counted; only its time is lost.
    var timeIsInvalid = false
    if let (outer, end) = readTime(line, at: index) {
      time = outer
      dockerStamp = line[index] != 0x5B && line[index + 10] | 0x20 == 0x74
      index = end
    } else if let end = Self.invalidTimeEnd(line, at: index) {
      timeIsInvalid = true
      index = end
    }
    if time != nil || timeIsInvalid {
      // The application's own time, when it writes one after docker's, is the one to quote.
      let inner = Self.skipSpaces(line, index)
      if let (own, ownEnd) = readTime(line, at: inner) {
        time = own
        timeIsInvalid = false
        index = ownEnd
        dockerStamp = false
      } else if let ownEnd = Self.invalidTimeEnd(line, at: inner) {
        index = ownEnd
        dockerStamp = false
        timeIsInvalid = time == nil
      }
    }

    let bodyStart = Self.skipSpaces(line, index)
    if bodyStart < count, line[bodyStart] == 0x7B,
      let fields = JSONLogLine.scan(line, from: bodyStart, timestamps: &timestamps)
    {
      var shape = jsonShape(fields, time: time, object: bodyStart, in: line)
      shape.timeIsInvalid = shape.time == nil && (timeIsInvalid || fields.timeIsInvalid)
      return shape
    }

    if time != nil || timeIsInvalid {
      let body = index < count && line[index] == 0x20 ? index + 1 : index
      if dockerStamp, body < count, line[body] == 0x20 || line[body] == 0x09 {
        return LineShape(kind: .continuation, time: time, message: body..<count)
      }
      var shape = LineShape(
        kind: .record, time: time, timeIsInvalid: timeIsInvalid, message: bodyStart..<count)
      findLevel(in: line, from: index, shape: &shape)
      if shape.level == .unknown, let kind = Self.continuationKind(line, at: body) {
        return LineShape(
          kind: kind, time: time, timeIsInvalid: timeIsInvalid, message: body..<count)
      }
      shape.status = Self.accessStatus(line, shape.message)
      return shape
    }

    if let (level, messageStart) = Self.leadingLevel(line, at: index) {
      var shape = LineShape(kind: .record, level: level, message: messageStart..<count)
      shape.status = Self.accessStatus(line, shape.message)
      return shape
    }
    let kind = Self.continuationKind(line, at: index)
    var shape = LineShape(kind: kind ?? .record, message: index..<count)
    if kind == nil {
      shape.status = Self.accessStatus(line, shape.message)
      if shape.status != 0 { shape.time = TimestampReader.readCommonLog(line) }
    }
    return shape
  }

  /// `2025-10-07 01:22:09,120 - ERROR - message`, Python's `%(asctime)s - %(levelname)s -
  /// %(message)s` (or with `.` before the milliseconds): most lines of an importer log. Its fixed layout is checked at fixed places,
  /// and any other line goes the general way.
  @inline(__always)
  private mutating func parsePythonDefault(_ line: UnsafeBufferPointer<UInt8>) -> LineShape? {
    guard line.count > 29, line[23] == 0x20, line[24] == 0x2D, line[25] == 0x20,
      line[19] == 0x2C || line[19] == 0x2E, let (time, end) = timestamps.read(line, at: 0),
      end == 23
    else { return nil }
    let level: LogLevel
    let messageStart: Int
    if let (known, start) = Self.pythonLevel(line) {
      level = known
      messageStart = start
    } else {
      var wordEnd = 26
      while wordEnd < line.count, wordEnd < 35, line[wordEnd] != 0x20 { wordEnd += 1 }
      guard wordEnd + 2 < line.count, line[wordEnd + 1] == 0x2D, line[wordEnd + 2] == 0x20,
        let named = LogLevel.named(line, 26, wordEnd)
      else { return nil }
      level = named
      messageStart = wordEnd + 3
    }
    let message = messageStart..<line.count
    return LineShape(
      kind: .record, time: time, level: level, status: Self.accessStatus(line, message),
      message: message)
  }

  /// Python's own level names with the separator after them (`INFO - `, `ERROR - `), read at
  /// byte 26 as one word: the level of almost every line of an importer log, found without
  /// a loop. Any other spelling is left to `LogLevel.named`.
  @inline(__always)
  private static func pythonLevel(_ line: UnsafeBufferPointer<UInt8>) -> (LogLevel, Int)? {
    guard line.count >= 37 else { return nil }
    let word = UnsafeRawPointer(line.baseAddress! + 26).loadUnaligned(as: UInt64.self)
    if word & 0x00FF_FFFF_FFFF_FFFF == pythonInfo { return (.info, 33) }
    switch word {
    case pythonError: return (.error, 34)
    case pythonDebug: return (.debug, 34)
    case pythonWarning where line[34] == 0x2D && line[35] == 0x20: return (.warning, 36)
    case pythonCritical where line[34] == 0x20 && line[35] == 0x2D && line[36] == 0x20:
      return (.critical, 37)
    default: return nil
    }
  }

  /// The level names as the little-endian words they load as, written out so that no lazy
  /// global is consulted per line.
  private static var pythonInfo: UInt64 { 0x0020_2D20_4F46_4E49 }  // "INFO - "
  private static var pythonError: UInt64 { 0x202D_2052_4F52_5245 }  // "ERROR - "
  private static var pythonDebug: UInt64 { 0x202D_2047_5542_4544 }  // "DEBUG - "
  private static var pythonWarning: UInt64 { 0x2047_4E49_4E52_4157 }  // "WARNING "
  private static var pythonCritical: UInt64 { 0x4C41_4349_5449_5243 }  // "CRITICAL"

  // MARK: - Times and levels

  /// A timestamp at `index`, bare or in brackets; returns the index past it (and its bracket).
  @inline(__always)
  private mutating func readTime(
    _ line: UnsafeBufferPointer<UInt8>, at index: Int
  ) -> (LogTime, Int)? {
    guard index < line.count else { return nil }
    if line[index] == 0x5B {
      guard let (time, end) = timestamps.read(line, at: index + 1) else { return nil }
      return (time, end < line.count && line[end] == 0x5D ? end + 1 : end)
    }
    return timestamps.read(line, at: index)
  }

  /// The end of what is written as a timestamp but is no time (`2025-02-30 01:15:00,000`, hour
  /// 25, month 13, year 0000 or -001), bare or in brackets; `nil` for anything else. Only asked
  /// when no time could be read, so it costs nothing on the lines of an ordinary log.
  static func invalidTimeEnd(_ line: UnsafeBufferPointer<UInt8>, at start: Int) -> Int? {
    var index = start
    let bracketed = index < line.count && line[index] == 0x5B
    if bracketed { index += 1 }
    // A year written with a sign (`-001`) is no year of a log either.
    if index < line.count, line[index] == 0x2D { index += 1 }
    guard index < line.count, line[index] &- 48 <= 9 else { return nil }
    // Year, month and day, then hours, minutes and seconds: runs of digits between the
    // separators of a timestamp, whatever their values.
    func digits(_ most: Int) -> Bool {
      let digitsStart = index
      while index < line.count, line[index] &- 48 <= 9, index - digitsStart < most { index += 1 }
      return index > digitsStart
    }
    func separator(_ accepted: (UInt8) -> Bool) -> Bool {
      guard index < line.count, accepted(line[index]) else { return false }
      index += 1
      return true
    }
    guard digits(6), separator({ $0 == 0x2D }), digits(2), separator({ $0 == 0x2D }), digits(2),
      separator({ $0 == 0x20 || $0 | 0x20 == 0x74 }), digits(2), separator({ $0 == 0x3A }),
      digits(2), separator({ $0 == 0x3A }), digits(2)
    else { return nil }
    if index < line.count, line[index] == 0x2C || line[index] == 0x2E {
      index += 1
      while index < line.count, line[index] &- 48 <= 9 { index += 1 }
    }
    index = TimestampReader.skipZone(line, at: index)
    if bracketed, index < line.count, line[index] == 0x5D { index += 1 }
    return index
  }

  /// Looks for the level among the first words after the time (a logger name, a process id or
  /// a thread may come first) and starts the message after it. After the first word, only a
  /// level in capitals or in brackets counts, so that `Processing error report` is not an error.
  @inline(__always)
  private func findLevel(
    in line: UnsafeBufferPointer<UInt8>, from start: Int, shape: inout LineShape
  ) {
    var index = Self.skipSeparators(line, start)
    shape.message = index..<line.count
    for position in 0..<3 {
      let wordEnd = Self.wordEnd(line, index)
      let length = wordEnd - index
      if length == 0 || length > 48 { return }
      if let level = LogLevel.named(line, index, wordEnd),
        position == 0 || Self.looksLikeLevelName(line, index, wordEnd)
      {
        shape.level = level
        shape.message = Self.messageStart(line, after: wordEnd)..<line.count
        return
      }
      index = Self.skipSeparators(line, wordEnd)
    }
  }

  /// Whether the word at `start..<end` is written like a level name: in capitals, or between
  /// brackets.
  private static func looksLikeLevelName(
    _ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int
  ) -> Bool {
    if start > 0 && line[start - 1] == 0x5B { return true }
    if end < line.count && line[end] == 0x5D { return true }
    return line[start..<end].allSatisfy { $0 &- 0x41 <= 25 }
  }

  /// A level opening a line that has no time: `INFO:     …` (uvicorn), `[ERROR] …`,
  /// `ERROR …`.
  /// Only capitals count here, so that `Error: …` inside a program's output stays text.
  private static func leadingLevel(
    _ line: UnsafeBufferPointer<UInt8>, at start: Int
  ) -> (LogLevel, Int)? {
    var index = start
    let bracketed = index < line.count && line[index] == 0x5B
    if bracketed { index += 1 }
    let wordEnd = Self.wordEnd(line, index)
    guard wordEnd > index, wordEnd < line.count || !bracketed else { return nil }
    for position in index..<wordEnd where !(0x41...0x5A).contains(line[position]) { return nil }
    guard let level = LogLevel.named(line, index, wordEnd) else { return nil }
    if wordEnd < line.count {
      let next = line[wordEnd]
      guard next == 0x3A || next == 0x20 || next == 0x5D || next == 0x09 else { return nil }
      if bracketed && next != 0x5D { return nil }
    }
    return (level, messageStart(line, after: wordEnd))
  }

  /// Skips what separates a level from its message: `: `, `] `, ` - `, ` | `.
  @inline(__always)
  private static func messageStart(_ line: UnsafeBufferPointer<UInt8>, after end: Int) -> Int {
    var index = skipSpaces(line, end)
    if index < line.count, line[index] == 0x3A || line[index] == 0x5D || line[index] == 0x7C {
      index = skipSpaces(line, index + 1)
    }
    if index + 1 < line.count, line[index] == 0x2D, line[index + 1] == 0x20 {
      index = skipSpaces(line, index + 1)
    }
    return index
  }

  // MARK: - Prefixes and continuations

  /// The end of a docker compose prefix (`api-1  | `, `worker_2 | `), or `start` without one.
  static func composePrefixEnd(_ line: UnsafeBufferPointer<UInt8>, from start: Int = 0) -> Int {
    var index = start
    while index < line.count, index - start < 64 {
      let byte = line[index]
      let isNameByte =
        (byte | 0x20) &- 0x61 <= 25 || byte &- 0x30 <= 9 || byte == 0x2D || byte == 0x5F
        || byte == 0x2E
      guard isNameByte else { break }
      index += 1
    }
    guard index > start else { return start }
    let nameEnd = index
    index = skipSpaces(line, nameEnd)
    guard index < line.count, line[index] == 0x7C, index > nameEnd else { return start }
    if index + 1 == line.count { return index + 1 }
    return line[index + 1] == 0x20 ? index + 2 : start
  }

  /// Whether a line without time or level continues the record before it.
  private static func continuationKind(
    _ line: UnsafeBufferPointer<UInt8>, at start: Int
  ) -> LineShape.Kind? {
    guard start < line.count else { return .continuation }
    let first = line[start]
    if first == 0x20 || first == 0x09 { return .continuation }
    let rest = UnsafeBufferPointer(rebasing: line[start...])
    if rest.starts(with: "Traceback (most recent call last)".utf8) { return .traceback }
    if rest.starts(with: "During handling of the above exception".utf8)
      || rest.starts(with: "The above exception was the direct cause".utf8)
      || rest.starts(with: "Caused by:".utf8)
    {
      return .continuation
    }
    return isExceptionLine(rest) ? .continuation : nil
  }

  /// `EOFError: …`, `urllib3.exceptions.MaxRetryError: …`, `KeyboardInterrupt`: the line that
  /// ends a traceback.
  private static func isExceptionLine(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
    var index = 0
    var dotted = false
    while index < text.count {
      let byte = text[index]
      if byte == 0x2E {
        dotted = true
      } else if !((byte | 0x20) &- 0x61 <= 25 || byte &- 0x30 <= 9 || byte == 0x5F) {
        break
      }
      index += 1
    }
    guard index > 0, index == text.count || text[index] == 0x3A else { return false }
    let name = String(decoding: text[..<index], as: UTF8.self)
    let endings = ["Error", "Exception", "Exit", "Interrupt", "Warning", "Failure", "Fault"]
    return dotted || endings.contains { name.hasSuffix($0) }
  }

  // MARK: - JSON and access lines

  private func jsonShape(
    _ fields: JSONLogFields, time outer: LogTime?, object: Int, in line: UnsafeBufferPointer<UInt8>
  ) -> LineShape {
    var shape = LineShape(
      kind: .record, time: fields.time ?? outer, level: fields.level ?? .unknown,
      status: fields.status, worker: fields.worker, message: fields.end..<fields.end)
    shape.jsonObject = object
    if let message = fields.message {
      shape.message = message
      shape.messageIsJSON = true
      shape.embeddedLine = fields.messageIsEmbeddedLine && fields.level == nil
    }
    return shape
  }

  /// The status of an access line: `"GET /path HTTP/1.1" 500` (uvicorn, nginx, gunicorn).
  @inline(__always)
  static func accessStatus(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
    guard let base = line.baseAddress, !range.isEmpty else { return 0 }
    var index = range.lowerBound
    for _ in 0..<4 {
      guard let quote = memchr(base + index, 0x22, range.upperBound - index) else { return 0 }
      let open = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(quote))
      var method = open + 1
      while method < range.upperBound, line[method] &- 0x41 <= 25 { method += 1 }
      guard method - open > 3, method < range.upperBound, line[method] == 0x20,
        let closing = memchr(base + method, 0x22, range.upperBound - method)
      else {
        index = open + 1
        continue
      }
      let close = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(closing))
      guard close + 5 <= range.upperBound, line[close + 1] == 0x20,
        let status = line.number(at: close + 2, digits: 3),
        close + 5 == range.upperBound || line[close + 5] == 0x20
      else { return 0 }
      return (100...599).contains(status) ? status : 0
    }
    return 0
  }

  // MARK: - Small scanners

  @inline(__always)
  static func skipSpaces(_ line: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int {
    var index = start
    while index < line.count, line[index] == 0x20 || line[index] == 0x09 { index += 1 }
    return index
  }

  /// Skips spaces and the punctuation that joins the fields of a log prefix.
  @inline(__always)
  private static func skipSeparators(_ line: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int {
    scan(line, from: start, while: true, in: prefixPunctuation)
  }

  /// The end of the word at `start`: up to a space or prefix punctuation.
  @inline(__always)
  private static func wordEnd(_ line: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int {
    scan(line, from: start, while: false, in: wordEnds)
  }

  /// Space, tab, `-`, `|`, `[`, `]`, `:` and `,` (spelled as masks so that no lazy global is
  /// consulted per line).
  private static var prefixPunctuation: ByteSet {
    ByteSet(
      low: 1 << 0x20 | 1 << 0x09 | 1 << 0x2D | 1 << 0x3A | 1 << 0x2C,
      high: 1 << (0x7C - 64) | 1 << (0x5B - 64) | 1 << (0x5D - 64))
  }
  /// Space, tab, `|`, `[`, `]` and `:`.
  private static var wordEnds: ByteSet {
    ByteSet(
      low: 1 << 0x20 | 1 << 0x09 | 1 << 0x3A,
      high: 1 << (0x7C - 64) | 1 << (0x5B - 64) | 1 << (0x5D - 64))
  }

  /// Moves on from `start` while the bytes are (`inside` true) or are not in `set`.
  @inline(__always)
  private static func scan(
    _ line: UnsafeBufferPointer<UInt8>, from start: Int, while inside: Bool, in set: ByteSet
  ) -> Int {
    var index = start
    while index < line.count, set.contains(line[index]) == inside { index += 1 }
    return index
  }
}

#if canImport(Glibc)
  import Glibc
#endif
