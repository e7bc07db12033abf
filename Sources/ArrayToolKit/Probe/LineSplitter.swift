// Cuts a body that arrives in arbitrary pieces into lines, keeping only the unfinished last line
// between pieces. A line longer than the limit is skipped (and counted) rather than gathered, so
// a server that sends no newline cannot make the probe hold its whole answer. A line that lies
// whole inside one piece is handed over where it lies, without a copy.

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

  /// Feeds the next piece; `line` is called for every line it completes, with its bytes, which
  /// are valid only during the call.
  mutating func feedBytes(
    _ bytes: UnsafeRawBufferPointer, line: (UnsafeRawBufferPointer) throws -> Void
  ) rethrows {
    var start = 0
    while start < bytes.count {
      guard let newline = bytes[start...].firstIndex(of: 10) else {
        keep(bytes[start...])
        return
      }
      if partial.isEmpty && !skipping {
        if newline - start > limit {
          skippedLines += 1
        } else {
          let end = newline > start && bytes[newline - 1] == 13 ? newline - 1 : newline
          try line(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
        }
      } else {
        keep(bytes[start..<newline])
        try endLine(line)
      }
      start = newline + 1
    }
  }

  /// Ends the stream: a last line without a newline still counts.
  mutating func finishBytes(line: (UnsafeRawBufferPointer) throws -> Void) rethrows {
    if !partial.isEmpty || skipping { try endLine(line) }
  }

  /// Feeds the next piece; `line` is called for every line it completes, as text.
  mutating func feed(_ bytes: UnsafeRawBufferPointer, line: (String) throws -> Void) rethrows {
    try feedBytes(bytes) { try line(String(decoding: $0, as: UTF8.self)) }
  }

  /// Ends the stream: a last line without a newline still counts.
  mutating func finish(line: (String) throws -> Void) rethrows {
    try finishBytes { try line(String(decoding: $0, as: UTF8.self)) }
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

  private mutating func endLine(_ line: (UnsafeRawBufferPointer) throws -> Void) rethrows {
    defer { partial.removeAll(keepingCapacity: true) }
    if skipping {
      skipping = false
      skippedLines += 1
      return
    }
    let end = partial.last == 13 ? partial.count - 1 : partial.count
    try partial.withUnsafeBytes { try line(UnsafeRawBufferPointer(rebasing: $0[..<end])) }
  }
}
