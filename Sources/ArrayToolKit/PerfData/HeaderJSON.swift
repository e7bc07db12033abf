// A small strict JSON parser for .dat block headers. Foundation's JSONSerialization forgets the
// order of object keys, and the order of the resource types in `Map` decides how every data row
// is laid out, so the header is parsed here into values that keep it.

/// A JSON value with objects kept in document order.
///
/// Not `indirect`: the arrays already hold nested values out of line, and boxing every string
/// and number of a header (thousands of element ids) cost an allocation each.
public enum HeaderJSON: Equatable, Sendable {
  case object([(key: String, value: HeaderJSON)])
  case array([HeaderJSON])
  case string(String)
  /// A number kept as its text, so that large ids lose nothing.
  case number(String)
  case bool(Bool)
  case null

  public static func == (lhs: HeaderJSON, rhs: HeaderJSON) -> Bool {
    switch (lhs, rhs) {
    case (.object(let a), .object(let b)):
      return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    case (.array(let a), .array(let b)): return a == b
    case (.string(let a), .string(let b)): return a == b
    case (.number(let a), .number(let b)): return a == b
    case (.bool(let a), .bool(let b)): return a == b
    case (.null, .null): return true
    default: return false
    }
  }

  /// The value of `key` in an object.
  public subscript(key: String) -> HeaderJSON? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.key == key }?.value
  }

  /// Why a header is not valid JSON, with the byte index where the parser stopped.
  public struct SyntaxError: Error, Equatable {
    public var index: Int
    public var reason: String
  }

  /// Parses one JSON value that must fill `bytes` (white space around it is allowed).
  public static func parse(_ bytes: UnsafeRawBufferPointer) throws -> HeaderJSON {
    var parser = Parser(bytes: bytes)
    parser.skipSpace()
    let value = try parser.value(depth: 0)
    parser.skipSpace()
    guard parser.index == bytes.count else { throw parser.error("unexpected text after the value") }
    return value
  }

  public static func parse(_ bytes: [UInt8]) throws -> HeaderJSON {
    try bytes.withUnsafeBytes { try parse($0) }
  }
}

private struct Parser {
  let bytes: UnsafeRawBufferPointer
  var index = 0
  static let maxDepth = 64

  init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

  func error(_ reason: String) -> HeaderJSON.SyntaxError {
    HeaderJSON.SyntaxError(index: index, reason: reason)
  }

  var current: UInt8? { index < bytes.count ? bytes[index] : nil }

  mutating func skipSpace() {
    while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
      index += 1
    }
  }

  mutating func expect(_ byte: UInt8, _ what: String) throws {
    guard current == byte else { throw error("expected \(what)") }
    index += 1
  }

  mutating func value(depth: Int) throws -> HeaderJSON {
    guard depth < Parser.maxDepth else { throw error("nested too deeply") }
    guard let byte = current else { throw error("unexpected end of the header") }
    switch byte {
    case UInt8(ascii: "{"): return try object(depth: depth)
    case UInt8(ascii: "["): return try array(depth: depth)
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"): try literal("true"); return .bool(true)
    case UInt8(ascii: "f"): try literal("false"); return .bool(false)
    case UInt8(ascii: "n"): try literal("null"); return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
    default: throw error("unexpected character")
    }
  }

  mutating func literal(_ word: StaticString) throws {
    let count = word.utf8CodeUnitCount
    guard index + count <= bytes.count else { throw error("unexpected end of the header") }
    for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
      throw error("invalid literal")
    }
    index += count
  }

  mutating func object(depth: Int) throws -> HeaderJSON {
    index += 1
    var members: [(key: String, value: HeaderJSON)] = []
    skipSpace()
    if current == UInt8(ascii: "}") {
      index += 1
      return .object(members)
    }
    while true {
      skipSpace()
      guard current == UInt8(ascii: "\"") else { throw error("expected a key") }
      let key = try string()
      skipSpace()
      try expect(UInt8(ascii: ":"), "':'")
      skipSpace()
      members.append((key, try value(depth: depth + 1)))
      skipSpace()
      if current == UInt8(ascii: ",") {
        index += 1
        continue
      }
      try expect(UInt8(ascii: "}"), "',' or '}'")
      return .object(members)
    }
  }

  mutating func array(depth: Int) throws -> HeaderJSON {
    index += 1
    var elements: [HeaderJSON] = []
    skipSpace()
    if current == UInt8(ascii: "]") {
      index += 1
      return .array(elements)
    }
    while true {
      skipSpace()
      elements.append(try value(depth: depth + 1))
      skipSpace()
      if current == UInt8(ascii: ",") {
        index += 1
        continue
      }
      try expect(UInt8(ascii: "]"), "',' or ']'")
      return .array(elements)
    }
  }

  mutating func number() throws -> HeaderJSON {
    let start = index
    if current == UInt8(ascii: "-") { index += 1 }
    guard let first = current, first >= 0x30 && first <= 0x39 else { throw error("invalid number") }
    if first == 0x30 {
      index += 1
    } else {
      digits()
    }
    if current == UInt8(ascii: ".") {
      index += 1
      guard digits() > 0 else { throw error("invalid number") }
    }
    if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
      index += 1
      if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
      guard digits() > 0 else { throw error("invalid number") }
    }
    return .number(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
  }

  @discardableResult
  mutating func digits() -> Int {
    let start = index
    while let byte = current, byte >= 0x30 && byte <= 0x39 { index += 1 }
    return index - start
  }

  mutating func string() throws -> String {
    index += 1
    let start = index
    // Most header strings (ids, names) have no escape: they become a String straight from the
    // input bytes, without a scratch array.
    while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), byte >= 0x20 {
      index += 1
    }
    if current == UInt8(ascii: "\"") {
      let run = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
      let text = String(validating: run.assumingMemoryBound(to: UInt8.self), as: UTF8.self)
      guard let text else { throw error("a string is not valid UTF-8") }
      index += 1
      return text
    }
    var scalars: [UInt8] = []
    var runStart = start
    while true {
      guard let byte = current else { throw error("unterminated string") }
      if byte == UInt8(ascii: "\"") {
        scalars.append(contentsOf: bytes[runStart..<index])
        index += 1
        break
      }
      if byte < 0x20 { throw error("control character in a string") }
      if byte == UInt8(ascii: "\\") {
        scalars.append(contentsOf: bytes[runStart..<index])
        index += 1
        try escape(into: &scalars)
        runStart = index
        continue
      }
      index += 1
    }
    guard let text = String(validating: scalars, as: UTF8.self) else {
      throw error("a string is not valid UTF-8")
    }
    return text
  }

  mutating func escape(into output: inout [UInt8]) throws {
    guard let byte = current else { throw error("unterminated string") }
    index += 1
    switch byte {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(byte)
    case UInt8(ascii: "b"): output.append(0x08)
    case UInt8(ascii: "f"): output.append(0x0C)
    case UInt8(ascii: "n"): output.append(0x0A)
    case UInt8(ascii: "r"): output.append(0x0D)
    case UInt8(ascii: "t"): output.append(0x09)
    case UInt8(ascii: "u"):
      var code = try hex4()
      if (0xD800..<0xDC00).contains(code) {
        guard current == UInt8(ascii: "\\"), index + 1 < bytes.count,
          bytes[index + 1] == UInt8(ascii: "u")
        else { throw error("unpaired surrogate") }
        index += 2
        let low = try hex4()
        guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate") }
        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
      } else if (0xDC00..<0xE000).contains(code) {
        throw error("unpaired surrogate")
      }
      guard let scalar = Unicode.Scalar(code) else { throw error("invalid escape") }
      output.append(contentsOf: Array(String(scalar).utf8))
    default:
      throw error("invalid escape")
    }
  }

  mutating func hex4() throws -> UInt32 {
    guard index + 4 <= bytes.count else { throw error("unterminated string") }
    var code: UInt32 = 0
    for _ in 0..<4 {
      let byte = bytes[index]
      let digit: UInt8
      switch byte {
      case 0x30...0x39: digit = byte - 0x30
      case 0x41...0x46: digit = byte - 0x41 + 10
      case 0x61...0x66: digit = byte - 0x61 + 10
      default: throw error("invalid \\u escape")
      }
      code = code << 4 | UInt32(digit)
      index += 1
    }
    return code
  }
}
