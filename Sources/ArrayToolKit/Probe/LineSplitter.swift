// Cuts a body that arrives in arbitrary pieces into lines, keeping only the unfinished last line
// between pieces. A line longer than the limit is skipped (and counted) rather than gathered, so
// a server that sends no newline cannot make the probe hold its whole answer.

/// Splits a stream of bytes at `\n`, dropping a `\r` before it.
struct LineSplitter {
  /// Lines longer than this many bytes are skipped.
  let limit: Int
  private var partial: [UInt8] = []
  private var skipping = false
  /// How many lines were too long and skipped.
  private(set) var skippedLines = 0

  init(limit: Int = 64 * 1024) {
    self.limit = limit
  }

  /// Feeds the next piece; `line` is called for every line it completes.
  mutating func feed(_ bytes: UnsafeRawBufferPointer, line: (String) throws -> Void) rethrows {
    var start = 0
    while start < bytes.count {
      guard let newline = bytes[start...].firstIndex(of: 10) else {
        keep(bytes[start...])
        return
      }
      keep(bytes[start..<newline])
      try endLine(line)
      start = newline + 1
    }
  }

  /// Ends the stream: a last line without a newline still counts.
  mutating func finish(line: (String) throws -> Void) rethrows {
    if !partial.isEmpty || skipping { try endLine(line) }
  }

  private mutating func keep(_ bytes: Slice<UnsafeRawBufferPointer>) {
    guard !skipping else { return }
    if partial.count + bytes.count > limit {
      skipping = true
      partial.removeAll(keepingCapacity: true)
    } else {
      partial.append(contentsOf: bytes)
    }
  }

  private mutating func endLine(_ line: (String) throws -> Void) rethrows {
    defer { partial.removeAll(keepingCapacity: true) }
    if skipping {
      skipping = false
      skippedLines += 1
      return
    }
    let end = partial.last == 13 ? partial.count - 1 : partial.count
    try line(String(decoding: partial[..<end], as: UTF8.self))
  }
}
