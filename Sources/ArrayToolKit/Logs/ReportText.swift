// The text of the `analyze-logs` reports as UTF-8 bytes in one growing buffer. A long log gives
// thousands of incidents and megabytes of report; building it from Strings made each sentence a
// handful of temporary Strings, and that cost more than the rest of the report together. A
// `ReportText` is written by interpolation, `"\(failures) to \(endpoint) failed"`, whose
// overloads put numbers and times into the buffer digit by digit (see `ReportText+Formats`), and
// a paragraph is wrapped while it is copied in.

/// Report text being written, as UTF-8 bytes.
///
/// A string literal with interpolations builds one: `"\(count: caused, "error") caused"`. The
/// type is its own interpolation, so every `appendInterpolation` overload also writes straight
/// into a text that is being built up piece by piece.
struct ReportText: ExpressibleByStringInterpolation, StringInterpolationProtocol {
  /// Copied on write. Not an array: creating an `Array` looks up its storage type at run time,
  /// which made each sentence cost more than writing its bytes.
  private var storage: ReportBytes

  init() {
    storage = ReportBytes.empty
  }

  init(stringLiteral literal: StaticString) {
    storage = literal.withUTF8Buffer { ReportBytes.make(capacity: $0.count) }
    write(literal)
  }

  init(literalCapacity: Int, interpolationCount: Int) {
    self.init(capacity: literalCapacity + interpolationCount * 32)
  }

  /// An empty text with room for `capacity` bytes, or for a sentence at least: a sentence
  /// that outgrows its room is copied, and that costs more than the room.
  init(capacity: Int) {
    storage = ReportBytes.make(capacity: max(capacity, ReportText.sentenceCapacity))
  }

  /// Bytes an interpolated text has room for at first: most sentences of a report fit.
  static let sentenceCapacity = 240

  init(stringInterpolation: ReportText) {
    self = stringInterpolation
  }

  /// The length in bytes.
  var count: Int { size.count }

  /// The size, read through a pointer: the `header` property of a class is checked for
  /// exclusive access at run time, which cost more than the write it came before.
  private var size: ReportBytes.Size {
    storage.withUnsafeMutablePointerToHeader { $0.pointee }
  }

  var isEmpty: Bool { count == 0 }

  /// The text as a String, for the reports that are still built from Strings.
  var string: String { withBytes { String(decoding: $0, as: UTF8.self) } }

  /// Calls `body` with the bytes written.
  func withBytes<Result, Failure>(
    _ body: (UnsafeBufferPointer<UInt8>) throws(Failure) -> Result
  ) throws(Failure) -> Result {
    try storage.withUnsafeMutablePointers { (size, bytes) throws(Failure) -> Result in
      try body(UnsafeBufferPointer(start: bytes, count: size.pointee.count))
    }
  }

  /// Appends `piece`, a sentence written by interpolation.
  static func += (text: inout ReportText, piece: ReportText) {
    piece.withBytes { text.write($0) }
  }

  /// `first` and `second` one after the other, for a sentence whose literal runs over a line.
  static func + (first: consuming ReportText, second: ReportText) -> ReportText {
    first += second
    return first
  }

  /// Literals are static strings, whose bytes are at hand without looking at how a String
  /// holds them.
  mutating func appendLiteral(_ literal: StaticString) {
    write(literal)
  }

  mutating func appendInterpolation(_ string: String) {
    write(string)
  }

  mutating func appendInterpolation(_ piece: ReportText) {
    self += piece
  }

  mutating func appendInterpolation(_ value: Int) {
    write(value)
  }

  /// Appends at most `capacity` bytes, which `body` writes from the pointer it is given and
  /// counts in its result: the one way bytes are written.
  @inline(__always)
  private mutating func append(
    atMost capacity: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int
  ) {
    guard capacity > 0 else { return }
    reserve(capacity)
    storage.withUnsafeMutablePointers { size, bytes in
      size.pointee.count += body(bytes + size.pointee.count)
    }
  }

  /// Makes the storage this text's own, with room for `extra` more bytes.
  @inline(__always)
  private mutating func reserve(_ extra: Int) {
    let size = self.size
    guard !isKnownUniquelyReferenced(&storage) || size.capacity - size.count < extra else {
      return
    }
    // Doubling keeps the cost of growing to a copy or two of each byte.
    let grown = ReportBytes.make(
      capacity: max(size.count + extra, size.capacity * 2, ReportText.sentenceCapacity))
    withBytes { old in
      grown.withUnsafeMutablePointers { newSize, bytes in
        bytes.initialize(from: old.baseAddress!, count: old.count)
        newSize.pointee.count = old.count
      }
    }
    storage = grown
  }

  /// Sets the length to `count`, dropping what was written after it.
  private mutating func truncate(to count: Int) {
    reserve(0)
    storage.withUnsafeMutablePointerToHeader { $0.pointee.count = count }
  }

  /// Appends the bytes of `string`, its control characters shown (see `write(shown:)`): a
  /// String in a report may hold what a log wrote.
  mutating func write(_ string: String) {
    // A native String, literals included, has its bytes in one piece; others are made one.
    if string.utf8.withContiguousStorageIfAvailable({ write(shown: $0) }) == nil {
      var native = string
      native.withUTF8 { write(shown: $0) }
    }
  }

  /// Appends text the console styled, whose escape sequences are its own.
  mutating func writeStyled(_ string: String) {
    var native = string
    native.withUTF8 { write($0) }
  }

  /// Appends `utf8` with each control character but tab, newline and a CR before a newline
  /// (the rest of C0, DEL and C1) written as `\u{7}`: a log's message must not ring the bell,
  /// move the cursor back, erase or recolour the terminal the report is read on. The reader
  /// removes escape sequences from lines, but a JSON log's `\u001b` and a lone BEL, backspace
  /// or carriage return come through to here. The marks that reorder text (U+200E, U+200F,
  /// U+202A to U+202E, U+2066 to U+2069) are shown the same way: one in a message would make
  /// the rest of its line read backwards.
  mutating func write(shown utf8: UnsafeBufferPointer<UInt8>) {
    guard let start = ReportText.firstControl(in: utf8) else { return write(utf8) }
    write(UnsafeBufferPointer(rebasing: utf8[..<start]))
    var index = start
    while index < utf8.count {
      let byte = utf8[index]
      var control: UInt32?
      let lineEnd = byte == 0x0D && index + 1 < utf8.count && utf8[index + 1] == 0x0A
      if byte < 0x20 && byte != 0x09 && byte != 0x0A && !lineEnd || byte == 0x7F {
        control = UInt32(byte)
      } else if byte == 0xC2, index + 1 < utf8.count, (0x80...0x9F).contains(utf8[index + 1]) {
        control = UInt32(utf8[index + 1])
        index += 1
      } else if byte == 0xE2, index + 2 < utf8.count,
        let mark = ReportText.directionMark(utf8[index + 1], utf8[index + 2])
      {
        control = mark
        index += 2
      }
      if let control {
        write("\\u{")
        let digits: StaticString = "0123456789ABCDEF"
        digits.withUTF8Buffer { digits in
          var shift = 28
          while shift > 0 && control >> UInt32(shift) == 0 { shift -= 4 }
          while shift >= 0 {
            write(byte: digits[Int(control >> UInt32(shift) & 0x0F)])
            shift -= 4
          }
        }
        write(byte: UInt8(ascii: "}"))
      } else {
        write(byte: byte)
      }
      index += 1
    }
  }

  /// The scalar of a mark that reorders text, given the two bytes after its lead byte 0xE2.
  private static func directionMark(_ second: UInt8, _ third: UInt8) -> UInt32? {
    let scalar = 0x2000 | UInt32(second & 0x0F) << 6 | UInt32(third & 0x3F)
    switch (second, third) {
    case (0x80, 0x8E...0x8F), (0x80, 0xAA...0xAE), (0x81, 0xA6...0xA9): return scalar
    default: return nil
    }
  }

  /// Where the first byte that may start a control character is, `nil` without one; looked at
  /// eight bytes at a time, as every message quoted passes here.
  private static func firstControl(in utf8: UnsafeBufferPointer<UInt8>) -> Int? {
    var index = 0
    if let base = utf8.baseAddress {
      while index + 8 <= utf8.count {
        if ByteOctet(base + index).mayHoldControl { break }
        index += 8
      }
    }
    while index < utf8.count {
      let byte = utf8[index]
      if byte < 0x20 && byte != 0x09 && byte != 0x0A || byte == 0x7F || byte == 0xC2
        || byte == 0xE2
      {
        return index
      }
      index += 1
    }
    return nil
  }

  /// Appends the bytes of `literal`.
  mutating func write(_ literal: StaticString) {
    literal.withUTF8Buffer { write($0) }
  }

  /// Appends one byte.
  mutating func write(byte: UInt8) {
    append(atMost: 1) { target in
      target.initialize(to: byte)
      return 1
    }
  }

  /// Appends `utf8`, bytes of UTF-8 text.
  mutating func write(_ utf8: UnsafeBufferPointer<UInt8>) {
    guard let source = utf8.baseAddress else { return }
    append(atMost: utf8.count) { target in
      target.update(from: source, count: utf8.count)
      return utf8.count
    }
  }

  /// Appends `value` in decimal, with at least `digits` digits (zeros in front).
  mutating func write(_ value: Int, digits: Int = 1) {
    var length = 1
    var power: UInt = 10
    while length < 20, value.magnitude >= power {
      length += 1
      power &*= 10
    }
    let width = max(length, digits)
    let sign = value < 0 ? 1 : 0
    append(atMost: sign + width) { target in
      if sign == 1 { target.pointee = UInt8(ascii: "-") }
      var rest = value.magnitude
      for offset in (sign..<(sign + width)).reversed() {
        target[offset] = UInt8(truncatingIfNeeded: rest % 10) &+ 0x30
        rest /= 10
      }
      return sign + width
    }
  }

  /// Appends `count` spaces.
  mutating func writeSpaces(_ count: Int) {
    append(atMost: count) { target in
      target.update(repeating: 0x20, count: count)
      return count
    }
  }

  /// Appends `ascii` with its lower-case letters made capitals, byte by byte; for names such as
  /// a severity, which are ASCII, this is what `uppercased()` gives without Unicode case mapping.
  mutating func writeUppercased(_ ascii: String) {
    let start = count
    write(ascii)
    uppercaseASCII(start..<count)
  }

  /// Makes the ASCII lower-case letters among the bytes at `range` capitals.
  mutating func uppercaseASCII(_ range: Range<Int>) {
    reserve(0)
    storage.withUnsafeMutablePointerToElements { bytes in
      for index in range where bytes[index] &- 0x61 <= 25 { bytes[index] -= 0x20 }
    }
  }

  /// Appends each of `items`, written by `item`, with `separator` between them.
  mutating func write<Items: Sequence>(
    _ items: Items, separator: String, _ item: (inout ReportText, Items.Element) -> Void
  ) {
    var first = true
    for element in items {
      if !first { write(separator) }
      first = false
      item(&self, element)
    }
  }

  /// Removes the spaces and tabs (any Unicode space separator) at the end of what was written
  /// after `start`, as Foundation's `trimmingCharacters(in: .whitespaces)` does at the end of a
  /// String (without going through NSString and UTF-16, which cost a quarter of a long report).
  mutating func trimTrailingSpaces(after start: Int) {
    let end = withBytes { bytes in
      var end = bytes.count
      while end > start {
        var scalarStart = end - 1
        while scalarStart > start, bytes[scalarStart] & 0xC0 == 0x80 { scalarStart -= 1 }
        let scalar =
          bytes[scalarStart] < 0x80
          ? Unicode.Scalar(bytes[scalarStart])
          : String(decoding: bytes[scalarStart..<end], as: UTF8.self).unicodeScalars.first
        guard let scalar, ReportFormat.isSpace(scalar) else { break }
        end = scalarStart
      }
      return end
    }
    if end < count { truncate(to: end) }
  }

  /// The length in characters of the bytes from `start` to the end.
  func characterCount(from start: Int) -> Int {
    withBytes { ReportFormat.characterCount(UnsafeBufferPointer(rebasing: $0[start...])) }
  }

  /// Appends `paragraph` broken into lines of at most `width` characters: the first starts with
  /// `indent` spaces, the others with `hanging` (the same indent by default). A `bullet` is the
  /// paragraph's first word. Nothing is written for a paragraph without words.
  mutating func writeWrapped(
    _ paragraph: ReportText, indent: Int, hanging: Int? = nil, bullet: StaticString? = nil,
    width: Int = 96
  ) {
    let next = hanging ?? indent
    let bullet = bullet ?? ""
    paragraph.withBytes { source in
      bullet.withUTF8Buffer { bullet in
        let words = source.count + bullet.count + 1
        // At most a line break and an indent per word, words being a byte and a space at least.
        let capacity = indent + words + (words / 2 + 1) * (1 + next)
        append(atMost: capacity) { target in
          var lines = WrappedLines(target: target, indent: indent, hanging: next, width: width)
          lines.write(words: bullet)
          lines.write(words: source)
          return lines.written
        }
      }
    }
  }
}

/// The writing of one wrapped paragraph into memory that has room for it.
private struct WrappedLines {
  let target: UnsafeMutablePointer<UInt8>
  let indent: Int
  let hanging: Int
  let width: Int
  /// Bytes written; none until the first word, so that a paragraph without words writes nothing.
  private(set) var written = 0
  /// Characters on the line so far.
  private var length = 0
  private var anyWord = false
  private var lineHasWord = false
  /// Words of the line taken from the source and not yet copied: they are copied as one run,
  /// as long as one space stands between each two of them there, as it does here.
  private var run: Range<Int>?

  init(target: UnsafeMutablePointer<UInt8>, indent: Int, hanging: Int, width: Int) {
    self.target = target
    self.indent = indent
    self.hanging = hanging
    self.width = width
  }

  /// Writes the words of `source`, the runs between its space bytes, one space apart, after
  /// the words written before. An ASCII word's length is its byte count, other words are
  /// counted by characters.
  mutating func write(words source: UnsafeBufferPointer<UInt8>) {
    let count = source.count
    var index = 0
    while index < count {
      if source[index] == 0x20 {
        index += 1
        continue
      }
      let wordStart = index
      let ascii: Bool
      (index, ascii) = WrappedLines.word(in: source, from: wordStart)
      let wordLength =
        ascii
        ? index - wordStart
        : WrappedLines.characterCount(UnsafeBufferPointer(rebasing: source[wordStart..<index]))
      if !anyWord {
        put(repeating: 0x20, indent)
        length = indent
        anyWord = true
      } else if length + 1 + wordLength > width {
        copyRun(from: source)
        put(repeating: 0x0A, 1)
        put(repeating: 0x20, hanging)
        length = hanging
        lineHasWord = false
      }
      if lineHasWord {
        length += 1
        if let line = run, wordStart == line.upperBound + 1 {
          run = line.lowerBound..<index
        } else {
          copyRun(from: source)
          put(repeating: 0x20, 1)
          run = wordStart..<index
        }
      } else {
        run = wordStart..<index
      }
      length += wordLength
      lineHasWord = true
    }
    copyRun(from: source)
  }

  private mutating func copyRun(from source: UnsafeBufferPointer<UInt8>) {
    guard let words = run else { return }
    (target + written).initialize(from: source.baseAddress! + words.lowerBound, count: words.count)
    written += words.count
    run = nil
  }

  private mutating func put(repeating byte: UInt8, _ count: Int) {
    (target + written).initialize(repeating: byte, count: count)
    written += count
  }

  /// Where the word at `start` ends (at the next space or the end) and whether it is ASCII.
  private static func word(
    in source: UnsafeBufferPointer<UInt8>, from start: Int
  ) -> (end: Int, ascii: Bool) {
    var index = start
    var bytes: UInt64 = 0
    while index + 8 <= source.count {
      let octet = ByteOctet(source.baseAddress! + index)
      if let space = octet.firstIndex(of: 0x20) {
        bytes |= octet.prefix(space)
        return (index + space, bytes & ByteOctet.highBits == 0)
      }
      bytes |= octet.bits
      index += 8
    }
    while index < source.count, source[index] != 0x20 {
      bytes |= UInt64(source[index])
      index += 1
    }
    return (index, bytes & ByteOctet.highBits == 0)
  }

  /// The characters of a word that holds bytes beyond ASCII. When every scalar is one that
  /// never joins a neighbour into one character (ASCII but CR, U+0080–U+02FF, the dashes,
  /// quotes and marks of U+2010–U+2027 and U+2030–U+205E), they are counted as they are
  /// decoded; any other word goes to String, which walks its grapheme clusters.
  static func characterCount(_ word: UnsafeBufferPointer<UInt8>) -> Int {
    var count = 0
    var index = 0
    while index < word.count {
      let lead = word[index]
      switch lead {
      case 0x0D: return String(decoding: word, as: UTF8.self).count
      case ..<0x80: index += 1
      case 0xC2...0xCB where index + 1 < word.count: index += 2
      case 0xE2 where index + 2 < word.count:
        let (second, third) = (word[index + 1], word[index + 2])
        let simple =
          second == 0x80 && ((0x90...0xA7).contains(third) || (0xB0...0xBF).contains(third))
          || second == 0x81 && (0x80...0x9E).contains(third)
        guard simple else { return String(decoding: word, as: UTF8.self).count }
        index += 3
      default: return String(decoding: word, as: UTF8.self).count
      }
      count += 1
    }
    return count
  }
}

/// The bytes of a `ReportText` in one allocation: how many are written and how many fit, then
/// the bytes.
private final class ReportBytes: ManagedBuffer<ReportBytes.Size, UInt8> {
  struct Size {
    var count: Int
    var capacity: Int
  }

  /// The storage of every empty text, copied when one is first written to.
  static let empty = make(capacity: 0)

  static func make(capacity: Int) -> ReportBytes {
    let buffer = create(minimumCapacity: capacity) { _ in Size(count: 0, capacity: capacity) }
    return unsafeDowncast(buffer, to: ReportBytes.self)
  }
}
