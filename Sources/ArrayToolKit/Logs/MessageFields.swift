// Reads the fields of a message that the report quotes: the host and port a connection was for,
// the file an archive error names, an HTTP status in prose (`503 Service Unavailable`, `status
// code 429`) and the `[Worker N]` tag of the importer. Each reader starts where the marker
// scanner saw its cue, so most of them look at a few bytes only.

/// Field readers over the bytes of one message.
enum MessageFields {
  /// `[Worker 37]` (also `[worker-3]`, `[Worker #3]`) at the start of `text`, after spaces.
  /// - Returns: the number and the index after the tag and the spaces that follow it.
  @inline(__always)
  static func leadingWorkerTag(_ text: UnsafeBufferPointer<UInt8>) -> (worker: Int, end: Int)? {
    var index = 0
    while index < text.count, text[index] == 0x20 { index += 1 }
    guard index + 8 < text.count, text[index] == 0x5B, text[index + 1] | 0x20 == 0x77,
      text[index + 2] | 0x20 == 0x6F, text[index + 3] | 0x20 == 0x72,
      text[index + 4] | 0x20 == 0x6B, text[index + 5] | 0x20 == 0x65,
      text[index + 6] | 0x20 == 0x72,
      let (worker, end) = number(in: text, after: index + 7), end < text.count,
      text[end] == 0x5D
    else { return nil }
    index = end + 1
    while index < text.count, text[index] == 0x20 { index += 1 }
    return (worker, index)
  }

  /// The number after `index`, past one separator (` `, `-`, `_`, `#`, `:`, `=`); `nil` for
  /// one of more than 18 digits, which an `Int` may not hold: its first digits alone would name
  /// another worker or port.
  static func number(in text: UnsafeBufferPointer<UInt8>, after start: Int) -> (Int, Int)? {
    var index = start
    if index < text.count, [0x20, 0x2D, 0x5F, 0x23, 0x3A, 0x3D].contains(text[index]) {
      index += 1
    }
    var value = 0
    let digitsStart = index
    while index < text.count, text[index] &- 0x30 <= 9 {
      guard index - digitsStart < MessageFields.numberDigitLimit else { return nil }
      value = value * 10 + Int(text[index] &- 0x30)
      index += 1
    }
    return index > digitsStart ? (value, index) : nil
  }

  /// The most digits of a number read from a message.
  static let numberDigitLimit = 18

  /// The host (and port) a network error names, from the strongest cue present: urllib3's
  /// `host='vmagent', port=8429`, a URL, `resolve 'vmagent'`/`lookup vmagent`, then
  /// `connection to vmagent:8429`.
  static func endpoint(
    in text: UnsafeBufferPointer<UInt8>, found: MarkerScanner.Found
  ) -> (host: String?, port: Int?) {
    var port = found.end(of: .portField).flatMap { number(in: text, after: $0)?.0 }
    if let start = found.end(of: .hostField), let host = token(in: text, at: start) {
      return (host, port)
    }
    for marker in [MessageMarker.url, .hostAfterWord, .endpointAfterWord] {
      guard let start = found.end(of: marker), var range = tokenRange(in: text, at: start) else {
        continue
      }
      if marker == .hostAfterWord {
        guard let named = hostAfterWord(in: text, range) else { continue }
        range = named
      }
      var host = String(decoding: text[range], as: UTF8.self)
      if let colon = host.lastIndex(of: ":"), let number = Int(host[host.index(after: colon)...]) {
        port = port ?? number
        host = String(host[..<colon])
      }
      if !host.isEmpty { return (host, port) }
    }
    return (nil, port)
  }

  /// The host after `lookup ` or `resolve host `, given the word found there. `lookup` is also
  /// a noun of prose (`DNS lookup failed: Temporary failure…`), where the word after it is no
  /// host: such words are passed over, and after `for` or `of` the host is the next word (`DNS
  /// lookup for vmagent failed`).
  private static func hostAfterWord(
    in text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>
  ) -> Range<Int>? {
    // A word longer than eight bytes is none of the prose words.
    guard let word = packed(text, range) else { return range }
    if word == packed("for") || word == packed("of") {
      let next = LogLineParser.skipSpaces(text, range.upperBound)
      guard let following = tokenRange(in: text, at: next) else { return nil }
      return packed(text, following).map(proseWords.contains) == true ? nil : following
    }
    return proseWords.contains(word) ? nil : range
  }

  /// Words that follow `lookup` in prose, packed by `packed`; none of them is a host. A host
  /// named like one (a service called `failed`) is still read from `host=` or a URL.
  private static let proseWords: Set<UInt64> = Set(
    [
      "failed", "failure", "failures", "fails", "fail", "error", "errors", "errored", "timed",
      "timeout", "timeouts", "on", "to", "the", "a", "an", "is", "was", "has", "had", "did",
      "returned", "took", "attempt", "attempts", "request", "query", "again", "retry", "aborted",
      "refused", "no", "not", "from", "in", "at", "with", "result", "results",
    ].map(packed))

  /// `word` packed as `packed(_:_:)` packs bytes of a message.
  private static func packed(_ word: String) -> UInt64 {
    word.utf8.reduce(0) { $0 << 8 | UInt64($1) }
  }

  /// A host-like word at `start`: quotes are skipped, and it ends at a quote, space, slash,
  /// comma or bracket.
  private static func token(in text: UnsafeBufferPointer<UInt8>, at start: Int) -> String? {
    tokenRange(in: text, at: start).map { String(decoding: text[$0], as: UTF8.self) }
  }

  /// Where `token(in:at:)` is.
  private static func tokenRange(
    in text: UnsafeBufferPointer<UInt8>, at start: Int
  ) -> Range<Int>? {
    var index = start
    while index < text.count, text[index] == 0x27 || text[index] == 0x22 { index += 1 }
    let tokenStart = index
    while index < text.count, index - tokenStart < 255 {
      switch text[index] {
      case 0x27, 0x22, 0x20, 0x2F, 0x2C, 0x29, 0x28, 0x5D, 0x5B, 0x3B, 0x3E, 0x3C, 0x0A: break
      default:
        index += 1
        continue
      }
      break
    }
    // A trailing colon or dot is punctuation of the sentence, not of the host.
    while index > tokenStart, text[index - 1] == 0x3A || text[index - 1] == 0x2E { index -= 1 }
    guard index > tokenStart else { return nil }
    return tokenStart..<index
  }

  /// The extensions of the files the importer reads, each packed into a word by `packed`.
  private static let fileExtensions: [UInt64] = [
    "tgz", "tar.gz", "gz", "zip", "tar", "dat", "bz2", "xz",
  ]
  .map(packed)

  /// Up to eight bytes folded to lower case and packed into one word, for comparing short words.
  @inline(__always)
  private static func packed(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt64? {
    guard range.count <= 8 else { return nil }
    var word: UInt64 = 0
    for index in range { word = word << 8 | UInt64(text[index] | 0x20) }
    return word
  }

  /// The first word that names an archive or data file (`…_20251007002400.tgz`, `/data/x.zip`).
  static func fileName(in text: UnsafeBufferPointer<UInt8>) -> String? {
    fileNameRange(in: text).map { String(decoding: text[$0], as: UTF8.self) }
  }

  /// Where `fileName(in:)` is in `text`.
  static func fileNameRange(in text: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
    guard let base = text.baseAddress else { return nil }
    let pathBytes = self.pathBytes
    var search = 0
    while search < text.count, let dot = memchr(base + search, 0x2E, text.count - search) {
      let index = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(dot))
      search = index + 1
      var end = index + 1
      while end < text.count, isWordByte(base[end]) { end += 1 }
      guard index > 0, pathBytes.contains(text[index - 1]),
        let suffix = packed(text, (index + 1)..<end), fileExtensions.contains(suffix)
      else { continue }
      // Walked back on the raw pointer with a table of flags: file names run to 80 bytes and
      // more, and this runs for every `Processing FILE` line.
      var start = index
      pathTable.withUnsafeBufferPointer { table in
        while start > 0, table[Int(base[start - 1])] { start -= 1 }
      }
      return start..<end
    }
    return nil
  }

  @inline(__always)
  private static func isWordByte(_ byte: UInt8) -> Bool {
    (byte | 0x20) &- 0x61 <= 25 || byte &- 0x30 <= 9 || byte == 0x2E
  }

  /// What a path or file name is made of.
  private static let pathBytes = ByteSet.alphanumeric(and: "._-/~+", nonASCII: true)
  /// `pathBytes` as one flag per byte value.
  private static let pathTable = (0..<256).map { pathBytes.contains(UInt8($0)) }

  /// Whether an access line is a write (`"POST /api/v1/import …"`): a failed one means samples
  /// were not accepted.
  static func isWriteRequest(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let quote = text.firstIndex(of: 0x22) else { return false }
    let request = String(decoding: text[quote...].prefix(256), as: UTF8.self)
    let methods = ["\"POST ", "\"PUT ", "\"PATCH "]
    guard methods.contains(where: { request.hasPrefix($0) }) else { return false }
    let path = request.lowercased()
    return ["import", "write", "insert", "ingest", "push", "upload", "send"].contains {
      path.contains($0)
    }
  }

  /// Whether `text` starts with a word saying a worker finished its file: `done`, `finished`,
  /// `completed`, `imported` (any letter case).
  @inline(__always)
  static func startsWithCompletion(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
    guard text.count >= 4, let base = text.baseAddress else { return false }
    // The first four letters folded to lower case, compared as one word.
    let head = UnsafeRawPointer(base).loadUnaligned(as: UInt32.self) | 0x2020_2020
    return head == completionWords.0 || head == completionWords.1 || head == completionWords.2
      || head == completionWords.3
  }

  private static let completionWords = (
    prefixWord("done"), prefixWord("fini"), prefixWord("comp"), prefixWord("impo")
  )

  private static func prefixWord(_ text: String) -> UInt32 {
    text.utf8.prefix(4).enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * $1.offset) }
  }

  /// Words that, just before a three-digit number, make it an HTTP status.
  private static let statusCues = [
    "status", "code", "http", "many ", "error '", "returned", "response", "got ", "with ",
  ]
  /// Words that, just after a three-digit number, make it an HTTP status.
  private static let statusNames = [
    " server error", " client error", " internal", " bad gateway", " service unavailable",
    " gateway timeout", " too many requests", " error response",
  ]

  /// An HTTP error status (400–599) written in a message, with words around it that say so.
  static func httpStatus(in text: UnsafeBufferPointer<UInt8>) -> Int? {
    var index = 0
    while index < text.count {
      guard text[index] &- 0x30 <= 9 else {
        index += 1
        continue
      }
      var end = index
      while end < text.count, text[end] &- 0x30 <= 9 { end += 1 }
      defer { index = end }
      guard end - index == 3, let value = text.number(at: index, digits: 3),
        (400...599).contains(value), index == 0 || !isWordByte(text[index - 1]),
        end == text.count || !isWordByte(text[end]) || text[end] == 0x2E
      else { continue }
      let before = String(decoding: text[max(0, index - 16)..<index], as: UTF8.self).lowercased()
      let after = String(decoding: text[end..<min(text.count, end + 20)], as: UTF8.self)
        .lowercased()
      if statusCues.contains(where: { before.contains($0) })
        || statusNames.contains(where: { after.hasPrefix($0) })
      {
        return value
      }
    }
    return nil
  }
}

#if canImport(Glibc)
  import Glibc
#endif
