// Turns the lines of one input into records: a traceback joins the error before it, a line
// without a time takes the time of the line before it, and docker's json-file lines are opened
// to read the log line they carry. Lines that come before any time in the input wait (a few
// hundred at most) for the first time to appear, so that every record can be ordered.

/// The records of one input, one at a time.
final class LogRecordStream {
  /// The position of the input on the command line.
  let input: Int
  private let reader: LogLineReader
  @exclusivity(unchecked) private var parser = LogLineParser()
  @exclusivity(unchecked) private var building = LogRecord()
  @exclusivity(unchecked) private var ready = LogRecord()
  @exclusivity(unchecked) private var isBuilding = false
  @exclusivity(unchecked) private var lastTime: LogTime?
  /// Records read before the input showed any time, and whether they are being handed out.
  @exclusivity(unchecked) private var waiting: [LogRecord] = []
  @exclusivity(unchecked) private var handingOutWaiting = false
  @exclusivity(unchecked) private var nextWaiting = 0
  /// Set once the input went on too long without a time: its records stay without one.
  @exclusivity(unchecked) private var hasNoTimes = false
  @exclusivity(unchecked) private var embedded: [UInt8] = []

  /// How many records may wait for the first time of an input.
  static let waitingLimit = 256

  /// The record the last successful `advance()` produced.
  @exclusivity(unchecked) private(set) var current: LogRecord

  init(input: Int, source: ByteSource, bufferSize: Int = 1 << 20) {
    self.input = input
    reader = LogLineReader(source: source, capacity: bufferSize)
    current = ready
  }

  /// Lines longer than the buffer, which were cut.
  var cutLines: Int { reader.cutLines }

  /// Moves to the next complete record.
  /// - Returns: `false` at the end of the input.
  func advance() throws -> Bool {
    if handingOutWaiting, handOutWaiting() { return true }
    while let line = try reader.nextLine() {
      let shape = parser.parse(line)
      if shape.embeddedLine {
        if openEmbedded(shape, of: line) { return true }
        continue
      }
      if take(shape, of: line, jsonLine: line) { return true }
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
    return false
  }

  /// Adds a line to the record being built, or completes it and starts the next.
  /// - Returns: whether a completed record is now `current`.
  private func take(
    _ shape: LineShape, of line: UnsafeBufferPointer<UInt8>, jsonLine: UnsafeBufferPointer<UInt8>
  ) -> Bool {
    let joins =
      shape.kind == .continuation
      || (shape.kind == .traceback && isBuilding && building.level >= .warning)
    if joins {
      // A blank line or stray indentation before the first record opens nothing.
      if isBuilding {
        building.appendContinuation(UnsafeBufferPointer(rebasing: line[shape.message]))
      }
      return false
    }
    let completed = isBuilding && complete()
    start(shape, of: line, jsonLine: jsonLine)
    return completed
  }

  /// Fills `building` from the first line of a record.
  private func start(
    _ shape: LineShape, of line: UnsafeBufferPointer<UInt8>, jsonLine: UnsafeBufferPointer<UInt8>
  ) {
    isBuilding = true
    building.reset(time: shape.time, level: shape.level, input: input, line: reader.lineNumber)
    building.status = shape.status
    building.workerField = shape.worker
    building.isBareTraceback = shape.kind == .traceback
    if shape.messageIsJSON {
      JSONLogLine.decodeString(line, shape.message, into: &building.text)
    } else {
      building.text.append(contentsOf: UnsafeBufferPointer(rebasing: line[shape.message]))
    }
    building.keepsContinuation =
      building.level >= .warning || building.level == .unknown || building.status >= 400
    if building.keepsContinuation, let object = shape.jsonObject, !shape.embeddedLine {
      JSONLogLine.appendOtherFields(jsonLine, from: object, into: &building.text, limit: 4096)
    }
  }

  /// Reads the log line inside docker's `{"log": "…"}` and takes it as if it stood alone.
  private func openEmbedded(_ outer: LineShape, of line: UnsafeBufferPointer<UInt8>) -> Bool {
    embedded.removeAll(keepingCapacity: true)
    JSONLogLine.decodeString(line, outer.message, into: &embedded)
    while let last = embedded.last, last == 0x0A || last == 0x0D { embedded.removeLast() }
    return embedded.withUnsafeBufferPointer { inner -> Bool in
      var shape = parser.parse(inner)
      if shape.time == nil { shape.time = outer.time }
      if shape.status == 0 { shape.status = outer.status }
      if shape.worker == nil { shape.worker = outer.worker }
      shape.embeddedLine = true
      return take(shape, of: inner, jsonLine: line)
    }
  }

  /// Closes `building`, gives it a time and makes it `current` unless it has to wait.
  /// - Returns: whether `current` holds a record now.
  private func complete() -> Bool {
    building.finish()
    if let time = building.time {
      lastTime = time
    } else if let last = lastTime {
      building.time = last
    } else if !hasNoTimes {
      waiting.append(building.copy())
      if waiting.count >= LogRecordStream.waitingLimit {
        hasNoTimes = true
        handingOutWaiting = true
        return handOutWaiting()
      }
      return false
    }
    swap(&building, &ready)
    if !waiting.isEmpty {
      // The first time of the input also dates the records that waited for it.
      for record in waiting { record.time = ready.time }
      waiting.append(ready.copy())
      handingOutWaiting = true
      return handOutWaiting()
    }
    current = ready
    return true
  }

  private func handOutWaiting() -> Bool {
    if nextWaiting < waiting.count {
      current = waiting[nextWaiting]
      nextWaiting += 1
      return true
    }
    waiting.removeAll()
    nextWaiting = 0
    handingOutWaiting = false
    return false
  }
}
