// Turns the lines of one input into records: a traceback joins the error before it, a line
// without a time (or with a timestamp that is no time) takes the time of the line before it, and
// docker's json-file lines are opened to read the log line they carry. Lines that come before any
// time in the input wait (a few hundred at most) for the first time to appear, so that every
// record can be ordered.

/// The records of one input, one at a time.
final class LogRecordStream {
  /// Keeps the fields off the cache lines of objects allocated beside it (see `CacheLinePadding`).
  private let leadingPadding = CacheLinePadding()
  /// The position of the input on the command line.
  let input: Int
  /// The record the last successful `advance()` produced; refilled by each call.
  let current = LogRecord()
  private let reader: LogLineReader
  @exclusivity(unchecked) private var parser = LogLineParser()
  @exclusivity(unchecked) private var isBuilding = false
  /// The first line of the next record, read to know that `current` was complete, when
  /// `hasPending`; its bytes stay valid until the reader is asked for another line. Kept in
  /// place with a flag rather than as an optional, which was copied in and out whole for
  /// every record.
  @exclusivity(unchecked) private var pending = Pending(
    shape: LineShape(kind: .record, message: 0..<0),
    line: UnsafeBufferPointer(start: nil, count: 0),
    jsonLine: UnsafeBufferPointer(start: nil, count: 0))
  @exclusivity(unchecked) private var hasPending = false
  @exclusivity(unchecked) private var lastTime: LogTime?
  /// Records read before the input showed any time, and whether they are being handed out.
  @exclusivity(unchecked) private var waiting: [LogRecord] = []
  @exclusivity(unchecked) private var handingOutWaiting = false
  @exclusivity(unchecked) private var nextWaiting = 0
  /// Set once the input went on too long without a time: its records stay without one.
  @exclusivity(unchecked) private var hasNoTimes = false
  /// What stopped the reading, thrown once the records read before it are out.
  @exclusivity(unchecked) private var failure: Error?
  @exclusivity(unchecked) private var decoded: [UInt8] = []
  /// Where the log line inside a docker json-file line is kept while it is read: it may wait
  /// as the next record's first line, so it lives apart from buffers that are reused.
  private let embedded: UnsafeMutableBufferPointer<UInt8>
  private let trailingPadding = CacheLinePadding()

  private struct Pending {
    var shape: LineShape
    var line: UnsafeBufferPointer<UInt8>
    var jsonLine: UnsafeBufferPointer<UInt8>
  }

  /// How many records may wait for the first time of an input.
  static let waitingLimit = 256

  /// Whether a record whose text the analysis does not read (`LogRecord.analysisReadsText`)
  /// keeps it anyway; the analysis asks for none.
  let keepsRoutineText: Bool

  init(input: Int, source: ByteSource, bufferSize: Int = 1 << 20, keepsRoutineText: Bool = true) {
    self.input = input
    self.keepsRoutineText = keepsRoutineText
    reader = LogLineReader(source: source, capacity: bufferSize)
    embedded = .allocate(capacity: bufferSize)
  }

  deinit { embedded.deallocate() }

  /// Lines longer than the buffer, which were cut.
  var cutLines: Int { reader.cutLines }

  /// Moves to the next complete record.
  /// - Returns: `false` at the end of the input.
  /// - Throws: what stopped the reading, once the records read before it are handed out.
  func advance() throws -> Bool {
    if handingOutWaiting, handOutWaiting() { return true }
    if hasPending {
      hasPending = false
      start(pending.shape, of: pending.line, jsonLine: pending.jsonLine)
    }
    if failure == nil {
      do {
        while let line = try reader.nextLine() {
          let shape = parser.parse(line)
          if shape.embeddedLine {
            if openEmbedded(shape, of: line) { return true }
            continue
          }
          if take(shape, of: line, jsonLine: line) { return true }
        }
      } catch {
        // The record being built is as complete as the input lets it be: it is handed out
        // before the failure is told.
        failure = error
      }
    }
    if isBuilding {
      isBuilding = false
      if complete() { return true }
    }
    if !waiting.isEmpty {
      // The input never showed a time: its records are handed out without one.
      hasNoTimes = true
      handingOutWaiting = true
      return handOutWaiting()
    }
    if let failure {
      self.failure = nil
      throw failure
    }
    return false
  }

  /// Adds a line to the record being built, or completes it and keeps the line for the next.
  /// - Returns: whether a completed record is now `current`.
  @inline(__always)
  private func take(
    _ shape: LineShape, of line: UnsafeBufferPointer<UInt8>, jsonLine: UnsafeBufferPointer<UInt8>
  ) -> Bool {
    let joins =
      shape.kind == .continuation
      || (shape.kind == .traceback && isBuilding && current.level >= .warning)
    if joins {
      // A blank line or stray indentation before the first record opens nothing.
      if isBuilding {
        current.appendContinuation(UnsafeBufferPointer(rebasing: line[shape.message]))
      }
      return false
    }
    guard isBuilding else {
      start(shape, of: line, jsonLine: jsonLine)
      return false
    }
    if complete() {
      pending = Pending(shape: shape, line: line, jsonLine: jsonLine)
      hasPending = true
      return true
    }
    start(shape, of: line, jsonLine: jsonLine)
    return false
  }

  /// Fills `current` from the first line of a record.
  @inline(__always)
  private func start(
    _ shape: LineShape, of line: UnsafeBufferPointer<UInt8>, jsonLine: UnsafeBufferPointer<UInt8>
  ) {
    isBuilding = true
    let record = current
    record.reset(time: shape.time, level: shape.level, input: input, line: reader.lineNumber)
    if shape.timeIsInvalid { record.timeIsInvalid = true }
    record.status = shape.status
    record.workerField = shape.worker
    record.isBareTraceback = shape.kind == .traceback
    if !keepsRoutineText, !shape.messageIsJSON,
      !LogRecord.analysisReadsText(
        isError: record.isError, level: record.level,
        firstByte: shape.message.isEmpty ? nil : line[shape.message.lowerBound])
    {
      return
    }
    if shape.messageIsJSON {
      record.textBuffer.append(decoding: {
        JSONLogLine.decodeString(line, shape.message, into: &$0)
      })
    } else {
      record.textBuffer.append(UnsafeBufferPointer(rebasing: line[shape.message]))
    }
    record.keepsContinuation =
      record.level >= .warning || record.level == .unknown || record.status >= 400
    if record.keepsContinuation, let object = shape.jsonObject, !shape.embeddedLine {
      record.textBuffer.append(decoding: {
        JSONLogLine.appendOtherFields(jsonLine, from: object, into: &$0, limit: 4096)
      })
    }
  }

  /// Reads the log line inside docker's `{"log": "…"}` and takes it as if it stood alone.
  private func openEmbedded(_ outer: LineShape, of line: UnsafeBufferPointer<UInt8>) -> Bool {
    decoded.removeAll(keepingCapacity: true)
    JSONLogLine.decodeString(line, outer.message, into: &decoded)
    while let last = decoded.last, last == 0x0A || last == 0x0D { decoded.removeLast() }
    let count = min(decoded.count, embedded.count)
    _ = embedded.initialize(from: decoded.prefix(count))
    let inner = UnsafeBufferPointer(rebasing: embedded[..<count])
    var shape = parser.parse(inner)
    if shape.time == nil {
      shape.time = outer.time
      shape.timeIsInvalid = outer.time == nil && (shape.timeIsInvalid || outer.timeIsInvalid)
    }
    if shape.status == 0 { shape.status = outer.status }
    if shape.worker == nil { shape.worker = outer.worker }
    shape.embeddedLine = true
    return take(shape, of: inner, jsonLine: line)
  }

  /// Closes `current` and gives it a time.
  /// - Returns: whether it can be handed out now; `false` when it has to wait for a time.
  @inline(__always)
  private func complete() -> Bool {
    let record = current
    record.finish()
    isBuilding = false
    if let time = record.time {
      lastTime = time
    } else if let last = lastTime {
      record.time = last
    } else if !hasNoTimes {
      waiting.append(record.copy())
      if waiting.count >= LogRecordStream.waitingLimit {
        hasNoTimes = true
        handingOutWaiting = true
        return handOutWaiting()
      }
      return false
    }
    if !waiting.isEmpty {
      // The first time of the input also dates the records that waited for it.
      for waiter in waiting { waiter.time = record.time }
      waiting.append(record.copy())
      handingOutWaiting = true
      return handOutWaiting()
    }
    return true
  }

  private func handOutWaiting() -> Bool {
    if nextWaiting < waiting.count {
      current.assign(waiting[nextWaiting])
      nextWaiting += 1
      return true
    }
    waiting.removeAll()
    nextWaiting = 0
    handingOutWaiting = false
    return false
  }
}

extension ByteBuffer {
  /// Appends what `decode` writes into an array: the JSON decoders write into one, and only
  /// JSON logs pay for it.
  fileprivate func append(decoding decode: (inout [UInt8]) -> Void) {
    var decoded: [UInt8] = []
    decode(&decoded)
    append(decoded)
  }
}
