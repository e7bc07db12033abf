// One log record: the line that opened it and, for records worth classifying, the continuation
// lines (a traceback) that followed. Records are reused from line to line so that reading a log
// allocates nothing once the buffers have grown; the text of a record is capped, and the last
// continuation line is always kept because a traceback names its exception there.

/// A log record as the analysis sees it. Valid until its stream reads the next one.
public final class LogRecord {
  /// Keeps the fields off the cache lines of objects allocated beside it (see `CacheLinePadding`).
  private let leadingPadding = CacheLinePadding()
  /// When it was written; `nil` only before the first line of its input that carried a time.
  @exclusivity(unchecked) public var time: LogTime?
  /// Whether its line opened with a timestamp that is no time; `time` is then the time of the
  /// record before it.
  @exclusivity(unchecked) public var timeIsInvalid = false
  @exclusivity(unchecked) public var level: LogLevel = .unknown
  /// The status of an HTTP access line (`"GET / HTTP/1.1" 500`), 0 when it is not one.
  @exclusivity(unchecked) public var status = 0
  /// A worker number given as a field (JSON `worker`); message tags are read later.
  @exclusivity(unchecked) public var workerField: Int?
  /// The message, then each kept continuation line after a newline.
  public var text: [UInt8] { textBuffer.array }
  /// Where `text` is kept: a record is filled a line at a time, and an array's generic append
  /// and remove-all cost the reading thread more than the bytes they copy.
  let textBuffer = ByteBuffer(capacity: 512)
  /// The last continuation line once `text` is full.
  @exclusivity(unchecked) var tail: [UInt8] = []
  /// Whether continuation lines are kept (only for records that may be classified).
  @exclusivity(unchecked) var keepsContinuation = false
  /// Whether the record began with `Traceback (most recent call last):` on its own: an uncaught
  /// exception printed without a level.
  @exclusivity(unchecked) public var isBareTraceback = false
  @exclusivity(unchecked) public var continuationLines = 0
  /// Which input it came from (the position of the file on the command line).
  @exclusivity(unchecked) public var input = 0
  /// The line of its input the record starts on, from 1.
  @exclusivity(unchecked) public var line = 0
  private let trailingPadding = CacheLinePadding()

  /// The most text kept per record; enough for any message and the top of a traceback.
  static let textLimit = 16 * 1024
  static let tailLimit = 1024

  init() {}

  /// Whether the analysis treats it as an error: its level, a 5xx or 429 answer, or a traceback
  /// nobody logged.
  @inline(__always)
  public var isError: Bool {
    level >= .error || status >= 500 || status == 429 || isBareTraceback
  }

  /// Whether the analysis reads a record's text: an error's or a warning's, to classify it, and
  /// a line's that opens with `[`, which may name the file a worker is processing. Other
  /// records are only counted, so their text need not be kept or handed on.
  @inline(__always)
  static func analysisReadsText(isError: Bool, level: LogLevel, firstByte: UInt8?) -> Bool {
    isError || level == .warning || firstByte == 0x5B
  }

  /// Starts the record over for a new first line.
  @inline(__always)
  func reset(time: LogTime?, level: LogLevel, input: Int, line: Int) {
    self.time = time
    self.level = level
    timeIsInvalid = false
    self.input = input
    self.line = line
    status = 0
    workerField = nil
    textBuffer.removeAll()
    if !tail.isEmpty { tail.removeAll(keepingCapacity: true) }
    keepsContinuation = false
    isBareTraceback = false
    continuationLines = 0
  }

  /// Adds one continuation line.
  func appendContinuation(_ bytes: UnsafeBufferPointer<UInt8>) {
    continuationLines += 1
    guard keepsContinuation else { return }
    if textBuffer.count + bytes.count + 1 <= LogRecord.textLimit {
      textBuffer.append(0x0A)
      textBuffer.append(bytes)
    } else {
      tail.removeAll(keepingCapacity: true)
      tail.append(contentsOf: bytes.prefix(LogRecord.tailLimit))
    }
  }

  /// Puts the kept last line in place once no more continuation lines can come.
  @inline(__always)
  func finish() {
    guard !tail.isEmpty else { return }
    textBuffer.append(0x0A)
    textBuffer.append(tail)
    tail.removeAll(keepingCapacity: true)
  }

  /// The message as a string (the first line of `text`).
  public var message: String {
    LogRecord.message(of: textBuffer.contents)
  }

  /// The first line of a record's text, as a string.
  static func message(of text: UnsafeBufferPointer<UInt8>) -> String {
    let end = text.firstIndex(of: 0x0A) ?? text.count
    return String(decoding: text[..<end], as: UTF8.self)
  }

  /// The first `limit` characters of the first line of a record's text, as a report quotes it.
  ///
  /// ASCII bytes are one character each (the one pair that is not, CR LF, cannot occur in a
  /// message, which ends at the first LF), so the common message is cut by its byte count;
  /// `String.prefix` walks grapheme clusters, which cost thousands of instructions for a
  /// message of a few hundred bytes, once per incident.
  static func sample(of text: UnsafeBufferPointer<UInt8>, limit: Int = 400) -> String {
    let end = text.firstIndex(of: 0x0A) ?? text.count
    // The byte after the cut is looked at too: a combining mark there would join the last
    // character kept.
    let looked = min(end, limit + 1)
    if !text[..<looked].contains(where: { $0 >= 0x80 }) {
      return String(decoding: text[..<min(end, limit)], as: UTF8.self)
    }
    return String(String(decoding: text[..<end], as: UTF8.self).prefix(limit))
  }

  /// A copy that stays valid after the stream moves on.
  func copy() -> LogRecord {
    let copy = LogRecord()
    copy.assign(self)
    return copy
  }

  /// Takes every field of `other`.
  func assign(_ other: LogRecord) {
    time = other.time
    timeIsInvalid = other.timeIsInvalid
    level = other.level
    status = other.status
    workerField = other.workerField
    textBuffer.removeAll()
    textBuffer.append(other.textBuffer.bytes)
    tail = other.tail
    keepsContinuation = other.keepsContinuation
    isBareTraceback = other.isBareTraceback
    continuationLines = other.continuationLines
    input = other.input
    line = other.line
  }
}
