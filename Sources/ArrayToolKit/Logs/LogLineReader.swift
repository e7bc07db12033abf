// Splits a byte stream into lines without copying them: each line is handed out as a window of
// one large buffer that is refilled as the reader moves on. Carriage returns before the newline
// and ANSI colour sequences (docker compose colours its prefixes) are removed in place, so every
// later stage sees plain text. An input whose first buffer holds carriage returns and no newline
// ends its lines with a carriage return alone, as old Mac files do, and is read that way. A line
// longer than the buffer is cut there and the rest of it is skipped, which keeps memory flat
// whatever the input holds.

#if canImport(Glibc)
  import Glibc
#endif

/// Reads lines from a `ByteSource`.
final class LogLineReader {
  /// Keeps the fields off the cache lines of objects allocated beside it (see `CacheLinePadding`).
  private let leadingPadding = CacheLinePadding()
  private let source: ByteSource
  private let storage: UnsafeMutableRawBufferPointer
  @exclusivity(unchecked) private var start = 0
  @exclusivity(unchecked) private var end = 0
  /// Where the buffer's next escape byte is at or after the line being read, `Int.max` when
  /// the bytes read hold none: most logs have no colours, and one search of each block read
  /// then spares a search of every line.
  @exclusivity(unchecked) private var nextEscape = Int.max
  @exclusivity(unchecked) private var atEnd = false
  /// The byte that ends a line: a newline, or a carriage return in an old Mac file.
  @exclusivity(unchecked) private var lineEnd: UInt8 = 0x0A
  /// Whether `lineEnd` is settled: a newline was found, or none in a full buffer.
  @exclusivity(unchecked) private var knowsLineEnd = false
  /// Whether the rest of a line that did not fit is being skipped.
  @exclusivity(unchecked) private var skippingRest = false
  /// Whether a whole buffer of that rest was dropped: the line was then longer than the buffer
  /// however little comes after.
  @exclusivity(unchecked) private var droppedRest = false
  /// The number of the last line handed out, from 1.
  @exclusivity(unchecked) private(set) var lineNumber = 0
  /// How many lines were longer than the buffer and were cut.
  @exclusivity(unchecked) private(set) var cutLines = 0
  /// What stopped the source, thrown once the bytes read before it are handed out.
  @exclusivity(unchecked) private var failure: Error?
  private let trailingPadding = CacheLinePadding()

  /// - Parameter capacity: the buffer size, which is also the longest line kept whole.
  init(source: ByteSource, capacity: Int = 1 << 20) {
    self.source = source
    storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(capacity, 64), alignment: 16)
  }

  deinit { storage.deallocate() }

  /// The next line without its line ending, valid until the next call; `nil` at the end.
  func nextLine() throws -> UnsafeBufferPointer<UInt8>? {
    let base = storage.baseAddress!
    while true {
      if start < end, let newline = memchr(base + start, Int32(lineEnd), end - start) {
        knowsLineEnd = true
        let lineStart = start
        let length = base.distance(to: UnsafeMutableRawPointer(newline)) - start
        start += length + 1
        if skippingRest {
          skippingRest = false
          // A line exactly as long as the buffer lost nothing but its line ending.
          let rest = UnsafeBufferPointer(
            start: (base + lineStart).assumingMemoryBound(to: UInt8.self), count: length)
          if !droppedRest && (rest.isEmpty || (rest.count == 1 && rest[0] == 0x0D)) {
            cutLines -= 1
          }
          droppedRest = false
          continue
        }
        return deliver(from: lineStart, length: length)
      }
      if !knowsLineEnd, start < end, atEnd || end == storage.count {
        knowsLineEnd = true
        // No newline in a full buffer (or the whole input) but a carriage return: lines end
        // with one alone. Read as one line, the file was one record cut at the buffer's size.
        if memchr(base + start, 0x0D, end - start) != nil {
          lineEnd = 0x0D
          continue
        }
      }
      if atEnd {
        // A failure ends the input where the bytes read before it end: their last line, cut
        // or not, is handed out first, and the failure is thrown after it.
        if skippingRest {
          // Nothing came after a line that filled the buffer: it was whole.
          if start == end && failure == nil && !droppedRest { cutLines -= 1 }
          skippingRest = false
          droppedRest = false
          start = end
          if let failure {
            self.failure = nil
            throw failure
          }
          return nil
        }
        guard start < end else {
          if let failure {
            self.failure = nil
            throw failure
          }
          return nil
        }
        let lineStart = start
        start = end
        return deliver(from: lineStart, length: end - lineStart)
      }
      if start > 0 {
        if end > start { memmove(base, base + start, end - start) }
        end -= start
        if nextEscape != Int.max { nextEscape -= start }
        start = 0
      }
      if end == storage.count, !skippingRest {
        // Zeros where a log was truncated in place (copytruncate) can run for megabytes
        // without a newline: they are dropped, not cut as a line, which would lose the first
        // line written after them.
        var zeros = 0
        while zeros < end && base.load(fromByteOffset: zeros, as: UInt8.self) == 0 { zeros += 1 }
        if zeros > 0 {
          start = zeros
          continue
        }
      }
      if end == storage.count {
        // No newline in a full buffer: hand out what fits and skip to the line's real end.
        end = 0
        if !skippingRest {
          skippingRest = true
          cutLines += 1
          return deliver(from: 0, length: storage.count)
        }
        // The bytes the escape was found among are gone; the next ones are searched afresh.
        nextEscape = Int.max
        droppedRest = true
      }
      do {
        let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: storage[end...]))
        if count == 0 {
          atEnd = true
        } else {
          if nextEscape == Int.max { nextEscape = escape(from: end, to: end + count) }
          end += count
        }
      } catch {
        failure = error
        atEnd = true
      }
    }
  }

  @inline(__always)
  private func deliver(from lineStart: Int, length: Int) -> UnsafeBufferPointer<UInt8> {
    lineNumber += 1
    // A CR LF among lone carriage returns ends one line, not two: its LF opens the next.
    let newline = lineEnd == 0x0D && length > 0 && storage[lineStart] == 0x0A ? 1 : 0
    var line = (storage.baseAddress! + lineStart + newline).assumingMemoryBound(to: UInt8.self)
    var count = length - newline
    var skipped = newline
    if count > 0 && line[count - 1] == 0x0D { count -= 1 }
    if count > 0 && (line[0] == 0 || line[0] == 0xEF) {
      // NUL bytes where a log was truncated in place while written to (logrotate's
      // copytruncate leaves such a hole), and a byte-order mark opening the file, come before
      // the line's own first byte.
      var lead = 0
      while lead < count && line[lead] == 0 { lead += 1 }
      if lead == 0 && lineNumber == 1 && count >= 3 && line[1] == 0xBB && line[2] == 0xBF {
        lead = 3
      }
      line += lead
      count -= lead
      skipped += lead
    }
    // A line holding an escape anywhere is cleaned whole: a level coloured after a long logger
    // name is still a level, and a sequence in a message must not reach the terminal the
    // report is printed on. Lines after a cut one may see a stale position: looked at again.
    if nextEscape < lineStart + skipped + count, memchr(line, 0x1B, count) != nil {
      count = LogLineReader.removeEscapes(line, count: count)
    }
    if nextEscape < lineStart + length { nextEscape = escape(from: lineStart + length, to: end) }
    return UnsafeBufferPointer(start: line, count: count)
  }

  /// The first escape byte in `storage[from..<to]`, `Int.max` without one.
  private func escape(from: Int, to: Int) -> Int {
    guard from < to, let found = memchr(storage.baseAddress! + from, 0x1B, to - from) else {
      return Int.max
    }
    return storage.baseAddress!.distance(to: found)
  }

  /// Removes ANSI escape sequences (`ESC [ … letter` and two-byte escapes) in place.
  /// - Returns: the new length.
  static func removeEscapes(_ line: UnsafeMutablePointer<UInt8>, count: Int) -> Int {
    var read = 0
    var write = 0
    while read < count {
      let byte = line[read]
      guard byte == 0x1B else {
        line[write] = byte
        write += 1
        read += 1
        continue
      }
      read += 1
      guard read < count else { break }
      if line[read] == 0x5B {
        // A control sequence: parameters and intermediates, then one final byte @ … ~.
        read += 1
        while read < count && !(0x40...0x7E).contains(line[read]) { read += 1 }
        read += 1
      } else if line[read] == 0x5D {
        // An operating-system command, ended by BEL or ESC \.
        while read < count && line[read] != 0x07 && line[read] != 0x1B { read += 1 }
        read += 1
        if read < count && line[read - 1] == 0x1B && line[read] == 0x5C { read += 1 }
      } else {
        read += 1
      }
    }
    return write
  }
}
