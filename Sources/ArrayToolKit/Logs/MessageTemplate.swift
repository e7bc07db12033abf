// The template of a message: the message with everything that changes from one occurrence to the
// next masked, so that `Worker 12 failed after 3.2s on /data/a.tgz` and `Worker 7 failed after
// 0.4s on /data/b.tgz` group together as `Worker <n> failed after <n>s on <path>`. Errors that no
// class recognises are grouped this way, and so are warnings. It works on bytes, since a log
// whose messages all differ makes one template per error.

/// Masks the variable parts of messages.
enum MessageTemplate {
  /// The longest template kept, in bytes; longer ones are cut with `…`.
  static let limit = 160

  /// The template of `text`: URLs, paths, file names, IP addresses, hex and numbers masked.
  static func make(_ text: UnsafeBufferPointer<UInt8>) -> String {
    var result: [UInt8] = []
    result.reserveCapacity(min(text.count, limit) + 8)
    var index = 0
    while index < text.count, result.count <= limit {
      if text[index] == 0x20 {
        if !result.isEmpty && result.last != 0x20 { result.append(0x20) }
        index += 1
        continue
      }
      var end = index
      while end < text.count, text[end] != 0x20 { end += 1 }
      mask(UnsafeBufferPointer(rebasing: text[index..<end]), into: &result)
      index = end
    }
    while result.last == 0x20 { result.removeLast() }
    if result.count > limit {
      // Cut at a character boundary: never inside a UTF-8 sequence.
      var cut = limit
      while cut > 0, result[cut] & 0xC0 == 0x80 { cut -= 1 }
      return String(decoding: result[..<cut], as: UTF8.self) + "…"
    }
    return String(decoding: result, as: UTF8.self)
  }

  static func make(_ text: Substring) -> String {
    var text = String(text)
    return text.withUTF8 { make($0) }
  }

  /// Quotes, brackets and sentence punctuation around a word, kept as they are.
  private static let edges = ByteSet("'\"()[]{},;:<>")

  private static func mask(_ word: UnsafeBufferPointer<UInt8>, into result: inout [UInt8]) {
    var start = 0
    var end = word.count
    while start < end, edges.contains(word[start]) { start += 1 }
    while end > start, edges.contains(word[end - 1]) { end -= 1 }
    result.append(contentsOf: UnsafeBufferPointer(rebasing: word[..<start]))
    let core = UnsafeBufferPointer(rebasing: word[start..<end])
    if let label = wholeWordMask(core) {
      result.append(contentsOf: label.utf8)
    } else {
      maskNumbers(core, into: &result)
    }
    result.append(contentsOf: UnsafeBufferPointer(rebasing: word[end...]))
  }

  /// `<url>`, `<path>`, `<ip>` or `<file>` when the whole word is one; `nil` otherwise.
  private static func wholeWordMask(_ core: UnsafeBufferPointer<UInt8>) -> String? {
    guard !core.isEmpty else { return nil }
    var slashes = 0
    var dots = 0
    var lastDot: Int?
    var digitsAndDots = true
    for (index, byte) in core.enumerated() {
      switch byte {
      case 0x2F: slashes += 1
      case 0x2E:
        dots += 1
        lastDot = index
      case 0x30...0x39, 0x3A: break
      default: digitsAndDots = false
      }
      if byte == 0x3A, index + 2 < core.count, core[index + 1] == 0x2F, core[index + 2] == 0x2F {
        return "<url>"
      }
    }
    let first = core[0]
    let second: UInt8 = core.count > 1 ? core[1] : 0
    if first == 0x2F || ((first == 0x2E || first == 0x7E) && second == 0x2F) || slashes >= 2 {
      return "<path>"
    }
    if digitsAndDots && dots == 3 { return "<ip>" }
    if let lastDot, lastDot + 1 < core.count {
      let suffix = String(decoding: core[(lastDot + 1)...], as: UTF8.self).lowercased()
      if ["tgz", "gz", "zip", "tar", "dat", "log", "json", "csv"].contains(suffix) {
        return "<file>"
      }
    }
    return nil
  }

  /// Appends `word` with hex runs (`0x7fd5…`, 8+ hex digits mixing letters and digits) as
  /// `<hex>` and each decimal number (with a fraction) as `<n>`, letters around it kept:
  /// `sn_2102350TST10KA000042` becomes `sn_<n>TST<n>KA<n>`, `3.2s` becomes `<n>s`.
  private static func maskNumbers(_ word: UnsafeBufferPointer<UInt8>, into result: inout [UInt8]) {
    var index = 0
    while index < word.count {
      let byte = word[index]
      guard isAlphanumeric(byte) else {
        result.append(byte)
        index += 1
        continue
      }
      var end = index
      while end < word.count, isAlphanumeric(word[end]) { end += 1 }
      let run = word[index..<end]
      let digits = run.contains { $0 &- 0x30 <= 9 }
      let hexOnly = run.allSatisfy { $0 &- 0x30 <= 9 || ($0 | 0x20) &- 0x61 <= 5 }
      let prefixed = run.count > 2 && byte == 0x30 && run[index + 1] | 0x20 == 0x78
      if prefixed || (run.count >= 8 && hexOnly && digits && !run.allSatisfy { $0 &- 0x30 <= 9 }) {
        result.append(contentsOf: "<hex>".utf8)
        index = end
        continue
      }
      while index < end {
        guard word[index] &- 0x30 <= 9 else {
          result.append(word[index])
          index += 1
          continue
        }
        result.append(contentsOf: "<n>".utf8)
        while index < end, word[index] &- 0x30 <= 9 { index += 1 }
        if index == end, index + 1 < word.count, word[index] == 0x2E, word[index + 1] &- 0x30 <= 9 {
          // A fraction belongs to the number: `3.2` is one `<n>`.
          index += 1
          end = index
          while end < word.count, isAlphanumeric(word[end]) { end += 1 }
          while index < end, word[index] &- 0x30 <= 9 { index += 1 }
        }
      }
    }
  }

  @inline(__always)
  private static func isAlphanumeric(_ byte: UInt8) -> Bool {
    (byte | 0x20) &- 0x61 <= 25 || byte &- 0x30 <= 9
  }
}
