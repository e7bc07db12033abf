// Reads checksum manifests in the forms people actually have: the coreutils lines of `sha256sum`
// and `md5sum` (`hash  name`, `hash *name`, a tab instead of the spaces, a leading backslash for
// escaped names), the tagged lines of BSD tools and `sha256sum --tag` (`SHA256 (name) = hash`),
// a hash alone (`X.zip.sha256` written by `cut`), CRLF line ends, a UTF-8 byte order mark and hex
// in either case. Each line keeps its number and byte offset so that problems can point at it.

/// One well-formed line of a manifest.
public struct ManifestLine: Equatable, Sendable {
  /// 1-based line number.
  public var number: Int
  /// Byte offset of the line's first character in the manifest.
  public var offset: Int64
  public var algorithm: DigestAlgorithm
  /// The expected digest in lower-case hex.
  public var digest: String
  /// The file the line is about; nil for a line that holds only a checksum.
  public var name: String?
}

/// A line that could not be read, with the reason.
public struct MalformedManifestLine: Equatable, Sendable {
  public var number: Int
  public var offset: Int64
  public var reason: String
}

/// A parsed manifest.
public struct Manifest: Equatable, Sendable {
  public var lines: [ManifestLine] = []
  public var malformed: [MalformedManifestLine] = []

  /// Parses the bytes of a manifest; never fails, bad lines land in `malformed`.
  public init(parsing bytes: [UInt8]) {
    var start = 0
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
    var number = 0
    while start < bytes.count {
      let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
      number += 1
      var text = bytes[start..<end]
      if text.last == UInt8(ascii: "\r") { text = text.dropLast() }
      switch Manifest.parseLine(String(decoding: text, as: UTF8.self)) {
      case .skip:
        break
      case .line(let algorithm, let digest, let name):
        lines.append(
          ManifestLine(
            number: number, offset: Int64(start), algorithm: algorithm, digest: digest,
            name: name))
      case .malformed(let reason):
        malformed.append(
          MalformedManifestLine(number: number, offset: Int64(start), reason: reason))
      }
      start = end + 1
    }
  }

  private enum Parsed {
    case skip
    case line(DigestAlgorithm, String, String?)
    case malformed(String)
  }

  private static func parseLine(_ raw: String) -> Parsed {
    var text = Substring(raw)
    text = text.drop { $0 == " " || $0 == "\t" }
    if text.isEmpty || text.hasPrefix("#") { return .skip }
    // A leading backslash says that the name holds escapes (coreutils writes it so).
    let escaped = text.hasPrefix("\\")
    if escaped { text = text.dropFirst() }
    let result = tagged(text) ?? plain(text)
    guard case .line(let algorithm, let digest, let name?) = result else { return result }
    // The name would be cut at the NUL where the file is opened, and the line would vouch for
    // another file.
    if name.utf8.contains(0) { return .malformed("the file name holds a NUL byte") }
    guard escaped else { return result }
    guard let unescaped = unescape(name) else {
      return .malformed("the file name holds an unknown backslash escape")
    }
    return .line(algorithm, digest, unescaped)
  }

  /// `TAG (name) = hex`, also `TAG(name)= hex` as OpenSSL writes it; nil when the line does not
  /// have that shape.
  private static func tagged(_ text: Substring) -> Parsed? {
    guard let open = text.firstIndex(of: "("), let equals = text.lastIndex(of: "=") else {
      return nil
    }
    let tag = text[..<open].trimmingTrailingSpaces()
    guard !tag.isEmpty, tag.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }),
      tag.first?.isLetter == true
    else { return nil }
    let beforeEquals = text[..<equals].trimmingTrailingSpaces()
    guard beforeEquals.hasSuffix(")"), beforeEquals.endIndex > open else { return nil }
    let close = beforeEquals.index(before: beforeEquals.endIndex)
    let name = String(text[text.index(after: open)..<close])
    let hex = text[text.index(after: equals)...].drop { $0 == " " || $0 == "\t" }
    guard let algorithm = DigestAlgorithm(tag: String(tag)) else {
      return .malformed("unknown checksum algorithm '\(tag)'")
    }
    guard isHex(hex), hex.count == algorithm.hexLength else {
      return .malformed(
        "\(algorithm.displayName) needs \(algorithm.hexLength) hex digits, the line has "
          + "'\(hex)'")
    }
    guard !name.isEmpty else { return .malformed("the file name is empty") }
    return .line(algorithm, hex.lowercased(), name)
  }

  /// `hex  name`, `hex *name`, `hex name`, `hex<TAB>name` or `hex` alone.
  private static func plain(_ text: Substring) -> Parsed {
    let hexEnd = text.firstIndex { !$0.isHexDigit || !$0.isASCII } ?? text.endIndex
    let hex = text[..<hexEnd]
    var rest = text[hexEnd...]
    guard !hex.isEmpty else {
      return .malformed("expected a hex checksum and a file name")
    }
    guard let algorithm = DigestAlgorithm(hexLength: hex.count) else {
      return .malformed(
        "a checksum of \(hex.count) hex digits fits no algorithm (MD5 32, SHA-1 40, "
          + "SHA-256 64, SHA-512 128)")
    }
    if rest.allSatisfy({ $0 == " " || $0 == "\t" }) {
      return .line(algorithm, hex.lowercased(), nil)
    }
    switch rest.first {
    case " ":
      rest = rest.dropFirst()
      if rest.first == " " || rest.first == "*" { rest = rest.dropFirst() }
    case "\t":
      rest = rest.dropFirst()
    default:
      return .malformed("the checksum is followed by '\(rest.prefix(1))' instead of a space")
    }
    guard !rest.isEmpty else { return .malformed("the file name is empty") }
    return .line(algorithm, hex.lowercased(), String(rest))
  }

  private static func isHex(_ text: Substring) -> Bool {
    !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isHexDigit }
  }

  /// Undoes the escapes coreutils writes: `\\`, `\n` and `\r`; nil for any other escape.
  static func unescape(_ name: String) -> String? {
    var result = ""
    var iterator = name.makeIterator()
    while let character = iterator.next() {
      guard character == "\\" else {
        result.append(character)
        continue
      }
      switch iterator.next() {
      case "\\": result.append("\\")
      case "n": result.append("\n")
      case "r": result.append("\r")
      default: return nil
      }
    }
    return result
  }

  /// One coreutils line that `sha256sum -c` (or `md5sum -c`) accepts for `name`: names holding a
  /// backslash, a line feed or a carriage return are escaped and the line starts with `\`.
  public static func coreutilsLine(digest: String, name: String) -> String {
    guard name.contains(where: { $0 == "\\" || $0 == "\n" || $0 == "\r" }) else {
      return "\(digest)  \(name)"
    }
    var escaped = ""
    for character in name {
      switch character {
      case "\\": escaped += "\\\\"
      case "\n": escaped += "\\n"
      case "\r": escaped += "\\r"
      default: escaped.append(character)
      }
    }
    return "\\\(digest)  \(escaped)"
  }
}

extension DigestAlgorithm {
  /// The algorithm a BSD tag names (`SHA256`, OpenSSL's `SHA2-256`, …); nil for others.
  init?(tag: String) {
    switch tag.uppercased() {
    case "MD5": self = .md5
    case "SHA1", "SHA-1": self = .sha1
    case "SHA256", "SHA2-256", "SHA-256": self = .sha256
    case "SHA512", "SHA2-512", "SHA-512": self = .sha512
    default: return nil
    }
  }

  /// The algorithm whose hex digests have `hexLength` digits.
  init?(hexLength: Int) {
    guard let found = DigestAlgorithm.allCases.first(where: { $0.hexLength == hexLength }) else {
      return nil
    }
    self = found
  }

  /// `SHA-256`, as a person writes it.
  public var displayName: String {
    switch self {
    case .md5: return "MD5"
    case .sha1: return "SHA-1"
    case .sha256: return "SHA-256"
    case .sha512: return "SHA-512"
    }
  }
}

extension Substring {
  fileprivate func trimmingTrailingSpaces() -> Substring {
    var text = self
    while text.last == " " || text.last == "\t" { text = text.dropLast() }
    return text
  }
}
